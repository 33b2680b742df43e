// The bench commands' options as data, and their validation into one frozen LevelSettings.
import { checkHttpUrl } from './config.ts';
import { rememberSecret, rememberSecretValues, rememberUrlSecrets } from '../../lib/redact.ts';
import { availableParallelism } from 'node:os';
import type { OptionSpec, ParsedOptions } from './args.ts';
import { UsageError } from '../errors.ts';
import type { KpiTargets } from '../report/kpi-table.ts';
import type { MethodSettings } from '../report/method.ts';
import { parseKpiTargets } from './targets.ts';
import { createGeneratorSettings, GENERATOR_OPTIONS, type GeneratorSettings } from './generator-options.ts';
import { TRIAL_OPTIONS } from './trial-options.ts';

/** Phase lengths: the default is long enough for stable percentiles on this class of machine; --quick is for CI and smoke runs. */
export const DURATIONS = {
  default: { warmupSec: 10, closedSec: 30, openSec: 30 },
  quick: { warmupSec: 2, closedSec: 4, openSec: 4 },
} as const;

export const LADDER_OPTIONS: OptionSpec[] = [
  {
    name: 'target',
    type: 'string',
    valueName: 'URL',
    description: 'use this running deployment instead of starting one (no start/stop)',
  },
  {
    name: 'quick',
    type: 'boolean',
    description: `short phases (${DURATIONS.quick.warmupSec}s warm-up, ${DURATIONS.quick.closedSec}s closed, ${DURATIONS.quick.openSec}s open)`,
  },
  {
    name: 'warmup',
    type: 'duration',
    valueName: 'TIME',
    description: `warm-up length (default ${DURATIONS.default.warmupSec}s)`,
  },
  {
    name: 'duration',
    type: 'duration',
    valueName: 'TIME',
    description: `closed and open phase length (default ${DURATIONS.default.closedSec}s)`,
  },
  { name: 'connections', type: 'integer', valueName: 'N', default: 32, description: 'closed phase connections' },
  {
    name: 'load-fraction',
    type: 'number',
    valueName: 'F',
    default: 0.5,
    description: 'open phase rate as a fraction of the closed phase throughput (0–1]',
  },
  {
    name: 'workers',
    type: 'integer',
    valueName: 'N',
    description: `SUT workers for levels 1–3 (default ${availableParallelism()}); per node for level 4 (default cores ÷ nodes)`,
  },
  {
    name: 'nodes',
    type: 'integer',
    valueName: 'M',
    default: 2,
    description: 'level 4: SUT nodes behind the load balancer',
  },
  { name: 'lb', type: 'string', valueName: 'KIND', default: 'nginx', description: 'level 4: nginx or haproxy' },
  {
    name: 'reloads',
    type: 'integer',
    valueName: 'N',
    default: 2,
    description: 'level 2: rolling reloads during the open phase',
  },
  {
    name: 'kpi',
    type: 'string',
    valueName: 'EXPR',
    repeatable: true,
    description: 'KPI target (the --threshold form): p99<300ms, throughput>5000, error_rate<0.1%, availability>99.99%',
  },
  {
    name: 'sut-env',
    type: 'string',
    valueName: 'K=V',
    repeatable: true,
    description: 'extra SUT environment, e.g. LATENCY=uniform:20-80',
  },
  {
    name: 'database-url',
    type: 'string',
    valueName: 'URL',
    description: 'PostgreSQL to use (default $DATABASE_URL, else embedded)',
  },
  {
    name: 'redis-url',
    type: 'string',
    valueName: 'URL',
    description: 'Redis to use (default $REDIS_URL, else redis-server from PATH)',
  },
  {
    name: 'admin-token',
    type: 'string',
    valueName: 'TOKEN',
    description: "cache: the target's ADMIN_TOKEN (default $ADMIN_TOKEN)",
  },
  { name: 'timeout', type: 'duration', valueName: 'TIME', default: '10s', description: 'per-request timeout' },
  ...GENERATOR_OPTIONS,
  ...TRIAL_OPTIONS,
  { name: 'seed', type: 'integer', valueName: 'N', default: 1, description: 'seed for ids and journey choice' },
  { name: 'out', type: 'string', valueName: 'DIR', default: 'results', description: 'results root folder' },
  { name: 'json', type: 'boolean', description: 'print run.json alone on stdout' },
];

/** Not in the usage text: fault injection for the checks' negative controls. */
export const HIDDEN_OPTIONS: OptionSpec[] = [
  {
    name: 'chaos',
    type: 'string',
    valueName: 'KIND',
    description: 'kill: SIGKILL the workers instead of reloading (level 2); fail: throw after starting the SUT',
  },
];

export type Chaos = 'kill' | 'fail';

/** The level commands' settings; the phase plan's part is what the method line describes. */
export interface LevelSettings extends Omit<MethodSettings, keyof GeneratorSettings>, GeneratorSettings {
  workers: number;
  workersGiven: boolean;
  nodes: number;
  lb: 'nginx' | 'haproxy';
  reloads: number;
  targets: KpiTargets;
  sutEnv: Record<string, string>;
  databaseUrl?: string;
  redisUrl?: string;
  adminToken: string;
  timeoutMs: number;
  seed: number;
  outDir: string;
  json: boolean;
  chaos?: Chaos;
  trials: number;
  fresh: boolean;
}

export function createLevelSettings(o: ParsedOptions, env: NodeJS.ProcessEnv = process.env): Readonly<LevelSettings> {
  const base = o.quick === true ? DURATIONS.quick : DURATIONS.default;
  const fraction = o['load-fraction'] as number;
  if (!(fraction > 0 && fraction <= 1))
    throw new UsageError(`--load-fraction: expected a number in (0, 1], got ${fraction}`);
  const lb = o.lb as string;
  if (lb !== 'nginx' && lb !== 'haproxy') throw new UsageError(`--lb: expected nginx or haproxy, got "${lb}"`);
  const chaos = o.chaos as string | undefined;
  if (chaos !== undefined && chaos !== 'kill' && chaos !== 'fail')
    throw new UsageError(`--chaos: expected kill or fail, got "${chaos}"`);
  const targets = parseKpiTargets((o.kpi as string[] | undefined) ?? []);
  const duration = o.duration as number | undefined;
  const sutEnv = parseSutEnv((o['sut-env'] as string[] | undefined) ?? []);
  const databaseUrl = (o['database-url'] as string | undefined) ?? env.DATABASE_URL;
  const redisUrl = (o['redis-url'] as string | undefined) ?? env.REDIS_URL;
  const adminToken = (o['admin-token'] as string | undefined) ?? env.ADMIN_TOKEN;
  // Whatever secret this run was given, the output redacts wherever it shows up (lib/redact.ts).
  rememberSecretValues(sutEnv);
  rememberUrlSecrets(databaseUrl);
  rememberUrlSecrets(redisUrl);
  rememberSecret(adminToken);
  return Object.freeze({
    ...(o.target !== undefined ? { target: checkUrl(o.target as string, 'target') } : {}),
    quick: o.quick === true,
    warmupSec: (o.warmup as number | undefined) ?? base.warmupSec,
    closedSec: duration ?? base.closedSec,
    openSec: duration ?? base.openSec,
    connections: o.connections as number,
    loadFraction: fraction,
    workers: (o.workers as number | undefined) ?? availableParallelism(),
    workersGiven: o.workers !== undefined,
    nodes: o.nodes as number,
    lb,
    reloads: o.reloads as number,
    targets,
    sutEnv,
    ...optional('databaseUrl', databaseUrl),
    ...optional('redisUrl', redisUrl),
    adminToken: adminToken ?? 'loadlab-bench-admin',
    timeoutMs: (o.timeout as number) * 1000,
    // Without --target loadlab starts the SUT on this machine, and the generator shares the cores with it.
    ...createGeneratorSettings(o, o.target === undefined),
    seed: o.seed as number,
    outDir: o.out as string,
    json: o.json === true,
    ...(chaos ? { chaos: chaos } : {}),
    trials: (o.trials as number | undefined) ?? 1,
    fresh: o.fresh === true,
  });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function parseSutEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--sut-env: expected NAME=VALUE, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function checkUrl(value: string, name: string): string {
  return checkHttpUrl(value, name).origin;
}
