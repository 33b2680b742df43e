// The `run` command's options as data, and their validation into one frozen RunConfig.
import { redactHeaders, redactUrl, rememberSecretValues, rememberUrlSecrets } from '../../lib/redact.ts';
import { UsageError } from '../errors.ts';
import type { OptionSpec, ParsedOptions } from './args.ts';
import { createAdHocScenario, loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { createGeneratorSettings, GENERATOR_OPTIONS, type GeneratorSettings } from './generator-options.ts';
import { parseTarget, type Target } from './targets.ts';
import { TRIAL_OPTIONS } from './trial-options.ts';

export const RUN_OPTIONS: OptionSpec[] = [
  { name: 'target', type: 'string', valueName: 'URL', description: 'base URL of the server under test' },
  { name: 'path', type: 'string', valueName: 'PATH', default: '/', description: 'request path (ad-hoc run)' },
  { name: 'method', type: 'string', valueName: 'METHOD', default: 'GET', description: 'HTTP method (ad-hoc run)' },
  { name: 'header', type: 'string', valueName: 'K:V', repeatable: true, description: 'request header (ad-hoc run)' },
  { name: 'body', type: 'string', valueName: 'JSON', description: 'request body (ad-hoc run)' },
  {
    name: 'expect-status',
    type: 'integer',
    valueName: 'CODE',
    description: 'status that counts as success (default: any below 400)',
  },
  {
    name: 'connections',
    type: 'integer',
    valueName: 'N',
    description: 'closed model: N connections as fast as they go',
  },
  {
    name: 'rate',
    type: 'number',
    valueName: 'R',
    description: 'open model: R requests per second on a fixed schedule',
  },
  {
    name: 'duration',
    type: 'duration',
    valueName: 'TIME',
    default: '30s',
    description: 'measured phase length (500ms, 30s, 2m)',
  },
  { name: 'warmup', type: 'duration', valueName: 'TIME', description: 'warm-up phase before it, not judged' },
  {
    name: 'threshold',
    type: 'string',
    valueName: 'EXPR',
    repeatable: true,
    description:
      '[ENDPOINT:]METRIC OP VALUE, e.g. p95<200ms, error_rate<0.1% (or <0.001), throughput>1000, ' +
      'availability>99.9%, "GET /x/:id:p99<500ms"',
  },
  {
    name: 'scenario',
    type: 'string',
    valueName: 'FILE',
    description: 'JSON scenario: weighted journeys, stages, thresholds',
  },
  { name: 'timeout', type: 'duration', valueName: 'TIME', default: '10s', description: 'per-request timeout' },
  {
    name: 'late-threshold',
    type: 'duration',
    valueName: 'TIME',
    default: '2ms',
    description: 'open model: a send later than this counts as late',
  },
  ...GENERATOR_OPTIONS,
  {
    name: 'sut-pid',
    type: 'integer',
    valueName: 'PID',
    repeatable: true,
    description: 'sample CPU and RSS of this process and its children',
  },
  { name: 'metrics-url', type: 'string', valueName: 'URL', description: 'scrape this /metrics every second' },
  { name: 'ready-url', type: 'string', valueName: 'URL', description: 'probe this /ready every second' },
  { name: 'seed', type: 'integer', valueName: 'N', default: 1, description: 'seed for ids and journey choice' },
  { name: 'out', type: 'string', valueName: 'DIR', default: 'results', description: 'results root folder' },
  { name: 'json', type: 'boolean', description: 'print run.json alone on stdout' },
  { name: 'dry-run', type: 'boolean', description: 'print the plan and exit' },
  ...TRIAL_OPTIONS.filter((o) => o.name !== 'fresh'),
];

/** `run` always loads a --target: the generator's threads default to all cores but one (generator-options.ts). */
export interface RunConfig extends GeneratorSettings {
  target: string;
  scenario: Scenario;
  scenarioFile?: string;
  targetRps?: number;
  connections?: number;
  durationSec: number;
  warmupSec: number;
  thresholds: Target[];
  timeoutMs: number;
  lateThresholdMs: number;
  sutPids: number[];
  metricsUrl?: string;
  readyUrl?: string;
  seed: number;
  outDir: string;
  json: boolean;
  dryRun: boolean;
  /** The judged phases repeated this many times after the warm-up (--trials). */
  trials: number;
}

export function createRunConfig(o: ParsedOptions): Readonly<RunConfig> {
  const target = requireUrl(o.target as string | undefined, 'target', true)!;
  const scenarioFile = o.scenario as string | undefined;
  const scenario = scenarioFile ? loadScenarioFile(scenarioFile) : createAdHocScenario(adHocStep(o));
  // Whatever secret this run was given, the output redacts wherever it shows up (lib/redact.ts).
  for (const j of scenario.journeys) for (const step of j.steps) rememberSecretValues(step.headers);
  for (const name of ['target', 'metrics-url', 'ready-url']) rememberUrlSecrets(o[name] as string | undefined);
  const thresholds = [
    ...((o.threshold as string[] | undefined) ?? []).map((text) => parseTarget(text, '--threshold')),
    ...(scenario.thresholds ?? []).map((text) => parseTarget(text, `${scenarioFile} "thresholds"`)),
  ];
  return Object.freeze({
    target,
    scenario,
    ...(scenarioFile ? { scenarioFile } : {}),
    ...(o.rate !== undefined ? { targetRps: o.rate as number } : {}),
    ...(o.connections !== undefined ? { connections: o.connections as number } : {}),
    durationSec: o.duration as number,
    warmupSec: (o.warmup as number | undefined) ?? 0,
    thresholds,
    timeoutMs: (o.timeout as number) * 1000,
    lateThresholdMs: (o['late-threshold'] as number) * 1000,
    ...createGeneratorSettings(o, false),
    sutPids: (o['sut-pid'] as number[] | undefined) ?? [],
    metricsUrl: requireUrl(o['metrics-url'] as string | undefined, 'metrics-url', false),
    readyUrl: requireUrl(o['ready-url'] as string | undefined, 'ready-url', false),
    seed: o.seed as number,
    outDir: o.out as string,
    json: o.json === true,
    dryRun: o['dry-run'] === true,
    trials: (o.trials as number | undefined) ?? 1,
  });
}

function adHocStep(o: ParsedOptions) {
  const path = o.path as string;
  if (!path.startsWith('/')) throw new UsageError(`--path: must start with "/", got "${path}"`);
  const method = (o.method as string).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`--method: "${String(o.method)}" is not an HTTP method`);
  const headers: Record<string, string> = {};
  for (const h of (o.header as string[] | undefined) ?? []) {
    const colon = h.indexOf(':');
    if (colon < 1) throw new UsageError(`--header: expected NAME:VALUE, got "${h}"`);
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const body = o.body as string | undefined;
  if (body !== undefined) {
    try {
      JSON.parse(body);
    } catch {
      throw new UsageError(`--body: not valid JSON: ${body.slice(0, 60)}`);
    }
  }
  return { method, path, headers, body, expectStatus: o['expect-status'] as number | undefined };
}

function requireUrl(value: string | undefined, name: string, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw new UsageError(`--${name}: required (e.g. --${name} http://127.0.0.1:3000)`);
    return undefined;
  }
  const url = checkHttpUrl(value, name);
  return name === 'target' ? url.origin : value;
}

/** An http(s) URL given as option `--name`, or a UsageError naming the option. */
export function checkHttpUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${name}: only http:// and https:// URLs, got "${value}"`);
  return url;
}

/** The effective config as plain JSON for run.json: thresholds as written, the scenario inline, secrets redacted. */
export function describeConfig(config: RunConfig): Record<string, unknown> {
  const { thresholds, scenario, ...rest } = config;
  const journeys = scenario.journeys.map((j) => ({
    ...j,
    steps: j.steps.map((step) => ({ ...step, ...(step.headers ? { headers: redactHeaders(step.headers) } : {}) })),
  }));
  const urls = {
    ...(rest.metricsUrl ? { metricsUrl: redactUrl(rest.metricsUrl) } : {}),
    ...(rest.readyUrl ? { readyUrl: redactUrl(rest.readyUrl) } : {}),
  };
  return { ...rest, ...urls, scenario: { ...scenario, journeys }, thresholds: thresholds.map((t) => t.source) };
}
