// The SUT's configuration: read from the environment once, every bad variable named, then frozen.
import { hostname } from 'node:os';
import { availableParallelism } from 'node:os';
import { generateSecret } from './auth/token.ts';
import { parseLatencySpec, type LatencySpec } from './cache/latency.ts';

export interface SutConfig {
  readonly port: number;
  readonly host: string;
  readonly nodeId: string;
  readonly workers: number;
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  /** REDIS_URL=off, said explicitly: no Redis, the task routes answer 503 (as when it is unset). */
  readonly redisOff: boolean;
  readonly dbPoolMax: number;
  readonly dbConnectTimeoutMs: number;
  readonly cacheEnabled: boolean;
  readonly cacheMax: number;
  /** The LRU's bound in bytes of cached JSON, besides its entry count. */
  readonly cacheMaxBytes: number;
  readonly cacheTtlMs: number;
  /** A reload's (or a crash's) new worker starts with the cache of the worker it replaces (or of a live one). */
  readonly cacheHandoff: boolean;
  /** A worker forked while others serve runs this much nicer until it is ready (0: no change; Linux, as root). */
  readonly startingNice: number;
  readonly latency: LatencySpec;
  readonly latencySeed: number;
  /** Signs bearer tokens: AUTH_SECRET, or when it is unset a random one made for this start. */
  readonly authSecret: string;
  /** AUTH_SECRET was unset: the primary passes its random secret to its workers (a reload keeps it, a restart does not). */
  readonly authSecretGenerated: boolean;
  readonly tokenTtlSec: number;
  readonly adminToken: string | undefined;
  readonly bodyLimitBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly drainTimeoutMs: number;
  readonly readyMaxLagMs: number;
  readonly readyMaxPoolWaiting: number;
  /** Background jobs processed at once inside each worker; 0 = none (run `npm run tasks:process`). */
  readonly taskConcurrency: number;
  /** Admission control: requests in progress per worker above which it answers 503 SUT_OVERLOADED; 0 = off (queue). */
  readonly maxInFlight: number;
  /** Requests per second per client (address) above which it answers 429 SUT_RATE_LIMITED; 0 = off. */
  readonly rateLimitRps: number;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Collects problems instead of throwing at the first, so the user fixes them all at once. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}=${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let ok: boolean;
    try {
      ok = protocols.includes(new URL(value).protocol);
    } catch {
      ok = false;
    }
    if (!ok) this.problems.push(`${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return ok ? value : undefined;
  }

  /** A secret: its value never appears in a problem, only its length. Unset: undefined. */
  secret(name: string, minLength: number): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value.length >= minLength) return value;
    this.problems.push(
      `${name}: expected at least ${minLength} characters (got ${value.length}; the value is not shown)`,
    );
    return undefined;
  }

  text(name: string, fallback: string, pattern: RegExp, accepts: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) {
      this.problems.push(`${name}=${JSON.stringify(value)}: expected ${accepts}`);
      return fallback;
    }
    return value;
  }
}

/** Hosts only this machine can reach; anywhere else the SUT needs an AUTH_SECRET of its own. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/** Throws ConfigError listing every bad variable; returns a frozen config otherwise. */
export function loadConfig(env: Env = process.env): SutConfig {
  const r = new EnvReader(env);
  const latencyText = r.raw('LATENCY') ?? 'none';
  const latency = parseLatencySpec(latencyText);
  if (typeof latency === 'string') r.problems.push(`LATENCY=${JSON.stringify(latencyText)}: ${latency}`);
  const host = r.text('HOST', '127.0.0.1', /^[\w.:-]+$/, 'a host name or IP address');
  const authSecret = r.secret('AUTH_SECRET', 16);
  // A random secret per start is fine on this machine; a SUT others can reach gets a secret set on purpose.
  if (r.raw('AUTH_SECRET') === undefined && !isLoopbackHost(host)) {
    r.problems.push(
      `AUTH_SECRET: required when HOST=${JSON.stringify(host)} (not 127.0.0.1, ::1 or localhost); e.g. AUTH_SECRET=$(openssl rand -base64 32)`,
    );
  }

  const config: SutConfig = {
    port: r.int('PORT', 3000, 0, 65535),
    host,
    nodeId: r.text(
      'NODE_ID',
      hostname().split('.')[0] || 'node',
      /^[\w.-]{1,64}$/,
      '1-64 letters, digits, ".", "_" or "-"',
    ),
    workers: r.int('WORKERS', availableParallelism(), 1, 256),
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.raw('REDIS_URL')?.toLowerCase() === 'off' ? undefined : r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisOff: r.raw('REDIS_URL')?.toLowerCase() === 'off',
    dbPoolMax: r.int('DB_POOL_MAX', 10, 1, 1000),
    dbConnectTimeoutMs: r.int('DB_CONNECT_TIMEOUT_MS', 2000, 1, 600_000),
    cacheEnabled: r.oneOf('CACHE', 'on', ['on', 'off']) === 'on',
    cacheMax: r.int('CACHE_MAX', 10_000, 1, 10_000_000),
    cacheMaxBytes: r.int('CACHE_MAX_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    cacheTtlMs: r.int('CACHE_TTL_MS', 60_000, 1, 86_400_000),
    cacheHandoff: r.oneOf('CACHE_HANDOFF', 'on', ['on', 'off']) === 'on',
    startingNice: r.int('STARTING_NICE', 10, 0, 19), // at +10 a thread weighs about a tenth of one at +0
    latency: typeof latency === 'string' ? { kind: 'none' } : latency,
    latencySeed: r.int('LATENCY_SEED', 1, 0, 2 ** 32 - 1),
    authSecret: authSecret ?? generateSecret(),
    authSecretGenerated: authSecret === undefined,
    tokenTtlSec: r.int('TOKEN_TTL_SEC', 3600, 1, 31_536_000),
    adminToken: r.secret('ADMIN_TOKEN', 8),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 64 * 1024, 1, 64 * 1024 * 1024),
    keepAliveTimeoutMs: r.int('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1, 3_600_000),
    logLevel: r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS),
    drainTimeoutMs: r.int('DRAIN_TIMEOUT_MS', 10_000, 0, 600_000),
    readyMaxLagMs: r.int('READY_MAX_LAG_MS', 200, 1, 60_000),
    readyMaxPoolWaiting: r.int('READY_MAX_POOL_WAITING', 50, 0, 1_000_000),
    taskConcurrency: r.int('TASK_CONCURRENCY', 4, 0, 1000),
    maxInFlight: r.int('MAX_IN_FLIGHT', 0, 0, 1_000_000),
    rateLimitRps: r.int('RATE_LIMIT_RPS', 0, 0, 10_000_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
