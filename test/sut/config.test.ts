// SUT config: defaults, frozen result, and every bad variable named with what it accepts.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../sut/config.ts';
import { OLD_BUILT_IN_SECRET } from './helpers.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('has usable defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dbPoolMax: 10,
      cacheEnabled: true,
      cacheMax: 10_000,
      cacheTtlMs: 60_000,
      cacheHandoff: true,
      startingNice: 10,
      latency: { kind: 'none' },
      latencySeed: 1,
      databaseUrl: undefined,
      adminToken: undefined,
      cacheMaxBytes: 64 * 1024 * 1024,
      maxInFlight: 0,
      rateLimitRps: 0,
    });
    expect(config.workers).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('without AUTH_SECRET makes a random one (32 bytes, base64url) each time, never the old built-in one', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.authSecretGenerated).toBe(true);
    expect(a.authSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.authSecret, 'base64url')).toHaveLength(32);
    expect(b.authSecret).not.toBe(a.authSecret);
    expect(a.authSecret).not.toBe(OLD_BUILT_IN_SECRET);
    expect(loadConfig({ AUTH_SECRET: '   ' }).authSecretGenerated).toBe(true); // blank is unset
  });

  it.each(['127.0.0.1', '::1', 'localhost', 'LocalHost'])('HOST=%s (loopback) may go without AUTH_SECRET', (host) => {
    expect(problemsOf({ HOST: host })).toEqual([]);
  });

  it.each(['0.0.0.0', '::', '192.168.1.5', 'sut.example.test', '127.0.0.2'])(
    'HOST=%s without AUTH_SECRET is one problem naming both',
    (host) => {
      expect(problemsOf({ HOST: host })).toEqual([
        `AUTH_SECRET: required when HOST="${host}" (not 127.0.0.1, ::1 or localhost); e.g. AUTH_SECRET=$(openssl rand -base64 32)`,
      ]);
      expect(problemsOf({ HOST: host, AUTH_SECRET: '' })).toHaveLength(1);
      expect(problemsOf({ HOST: host, AUTH_SECRET: 's'.repeat(16) })).toEqual([]);
    },
  );

  it('a secret that is too short is named, its value never shown (and no second problem for HOST)', () => {
    expect(problemsOf({ HOST: '0.0.0.0', AUTH_SECRET: 'hunter2', ADMIN_TOKEN: 'pass' })).toEqual([
      'AUTH_SECRET: expected at least 16 characters (got 7; the value is not shown)',
      'ADMIN_TOKEN: expected at least 8 characters (got 4; the value is not shown)',
    ]);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      NODE_ID: 'n2',
      WORKERS: '3',
      DATABASE_URL: 'postgres://u@h:5432/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      AUTH_SECRET: 'a-secret-of-the-operator',
      DB_POOL_MAX: '4',
      CACHE: 'off',
      CACHE_MAX: '5',
      CACHE_TTL_MS: '100',
      CACHE_HANDOFF: 'off',
      STARTING_NICE: '5',
      LATENCY: 'uniform:20-80',
      LATENCY_SEED: '9',
      ADMIN_TOKEN: 'secret-admin',
      BODY_LIMIT_BYTES: '1024',
      LOG_LEVEL: 'debug',
      CACHE_MAX_BYTES: '4096',
      MAX_IN_FLIGHT: '64',
      RATE_LIMIT_RPS: '100',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      nodeId: 'n2',
      workers: 3,
      databaseUrl: 'postgres://u@h:5432/db',
      redisUrl: 'redis://127.0.0.1:6379',
      authSecret: 'a-secret-of-the-operator',
      authSecretGenerated: false,
      dbPoolMax: 4,
      cacheEnabled: false,
      cacheMax: 5,
      cacheTtlMs: 100,
      cacheHandoff: false,
      startingNice: 5,
      latency: { kind: 'uniform', minMs: 20, maxMs: 80 },
      latencySeed: 9,
      adminToken: 'secret-admin',
      bodyLimitBytes: 1024,
      logLevel: 'debug',
      cacheMaxBytes: 4096,
      maxInFlight: 64,
      rateLimitRps: 100,
    });
  });

  it.each([
    ['PORT', '70000', /^PORT="70000": expected a whole number from 0 to 65535$/],
    ['PORT', 'abc', /^PORT="abc": expected a whole number/],
    ['WORKERS', '0', /^WORKERS="0": expected a whole number from 1 to 256$/],
    ['DB_POOL_MAX', '-1', /^DB_POOL_MAX="-1": expected a whole number/],
    ['CACHE', 'maybe', /^CACHE="maybe": expected one of on, off$/],
    ['CACHE_HANDOFF', 'yes', /^CACHE_HANDOFF="yes": expected one of on, off$/],
    ['STARTING_NICE', '20', /^STARTING_NICE="20": expected a whole number from 0 to 19$/],
    ['CACHE_TTL_MS', '1.5', /^CACHE_TTL_MS="1.5": expected a whole number/],
    ['CACHE_MAX_BYTES', '10', /^CACHE_MAX_BYTES="10": expected a whole number from 1024 to/],
    ['MAX_IN_FLIGHT', '-3', /^MAX_IN_FLIGHT="-3": expected a whole number from 0 to 1000000$/],
    ['RATE_LIMIT_RPS', 'fast', /^RATE_LIMIT_RPS="fast": expected a whole number/],
    ['LATENCY', 'slow', /^LATENCY="slow": expected none, fixed:<ms>/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\/$/],
    ['REDIS_URL', 'nope', /^REDIS_URL: expected a URL starting with redis:\/\//],
    ['NODE_ID', 'a b', /^NODE_ID="a b": expected 1-64 letters/],
    ['AUTH_SECRET', 'short', /^AUTH_SECRET: expected at least 16 characters \(got 5; the value is not shown\)$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL="loud": expected one of silent, error, warn, info, debug$/],
  ])('%s=%s is named with what it accepts', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', CACHE: 'y', LATENCY: 'z' })).toHaveLength(3);
  });
});
