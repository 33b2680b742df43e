// The one target grammar for --threshold, --kpi and a scenario's "thresholds": `[endpoint:]metric op value[unit]`.
import { ThresholdError } from '../errors.ts';
import type { CoreMetric, KpiOp, KpiTarget, KpiTargets } from '../report/kpi-table.ts';

export type Operator = KpiOp;
/** What a metric measures: it decides the units a target may be written in and the one unit it is stored in. */
export type UnitKind = 'latency' | 'rate' | 'fraction';

export interface MetricSpec {
  name: string;
  aliases: readonly string[];
  kind: UnitKind;
  /** False where the figures have no per-endpoint value (availability needs status classes per endpoint). */
  perEndpoint: boolean;
}

const latency = <N extends string>(name: N) => ({ name, aliases: [], kind: 'latency', perEndpoint: true }) as const;

export const METRIC_TABLE = [
  latency('p50'),
  latency('p90'),
  latency('p95'),
  latency('p99'),
  latency('p999'),
  latency('max'),
  latency('mean'),
  { name: 'throughput', aliases: ['rps'], kind: 'rate', perEndpoint: true },
  { name: 'error_rate', aliases: [], kind: 'fraction', perEndpoint: true },
  { name: 'availability', aliases: [], kind: 'fraction', perEndpoint: false },
] as const satisfies readonly MetricSpec[];

export type Metric = (typeof METRIC_TABLE)[number]['name'];
export type LatencyMetric = Extract<(typeof METRIC_TABLE)[number], { kind: 'latency' }>['name'];

interface UnitRule {
  /** The unit every value of this kind is stored and compared in. */
  canonical: string;
  /** How targets are shown in the KPI table: written value × 10^displayShift, in displayUnit. */
  displayUnit: string;
  displayShift: number;
  /** Accepted suffixes ('' = a bare number) → power of ten from the written value to the canonical one. */
  accepted: Readonly<Record<string, number>>;
  /** The accepted form, for error messages. */
  form: string;
}

const UNIT_RULES: Readonly<Record<UnitKind, UnitRule>> = {
  latency: {
    canonical: 'ms',
    displayUnit: 'ms',
    displayShift: 0,
    accepted: { '': 0, ms: 0, s: 3 },
    form: 'ms (a bare number) or s, e.g. p95<200ms or p95<0.2s',
  },
  rate: {
    canonical: 'req/s',
    displayUnit: 'req/s',
    displayShift: 0,
    accepted: { '': 0, 'req/s': 0 },
    form: 'req/s (a bare number), e.g. throughput>1000',
  },
  fraction: {
    canonical: 'fraction',
    displayUnit: '%',
    displayShift: 2,
    accepted: { '': 0, '%': -2 },
    form: 'a fraction or a percent, e.g. error_rate<0.001 or error_rate<0.1%',
  },
};

/** Which metrics a unit is for, to name them when a unit is misplaced. */
const UNIT_OWNERS: Readonly<Record<string, string>> = {
  ms: 'latency metrics',
  s: 'latency metrics',
  'req/s': 'throughput',
  '%': 'error_rate and availability',
};

export interface Target {
  /** The expression as written, used as the check's name. */
  source: string;
  /** Route pattern (e.g. `GET /api/users/:id`); absent for the overall figures. */
  endpoint?: string;
  /** The canonical name (`rps` is stored as `throughput`). */
  metric: Metric;
  op: Operator;
  /** In the metric's canonical unit: ms (latency), req/s (throughput), a fraction (error_rate, availability). */
  value: number;
}

const EXPR = /^(?:(.+):)?([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\S+)$/;
const VALUE = /^(\d+(?:\.\d+)?)(ms|s|%|req\/s)?$/;
const FORM = 'expected [ENDPOINT:]METRIC OP VALUE[UNIT] with OP one of < <= > >=, e.g. p95<200ms, error_rate<0.1%';
const METRIC_NAMES = METRIC_TABLE.map((m) => (m.aliases.length ? `${m.name} (or ${m.aliases.join(', ')})` : m.name));

/**
 * Parses one target; `origin` names where it was written (`--threshold`, `--kpi`, a scenario file) in errors.
 * @example parseTarget('GET /api/users/:id:p99<=0.5s') // { endpoint: 'GET /api/users/:id', metric: 'p99', value: 500 }
 */
export function parseTarget(expression: string, origin = '--threshold'): Target {
  const source = expression.trim();
  const fail = (problem: string) => new ThresholdError(`${origin} "${source}": ${problem}`);
  const match = EXPR.exec(source);
  if (!match) throw fail(`${FORM}, "GET /api/users/:id:p99<=500ms"`);
  type Parts = [string, string | undefined, string, Operator, string];
  const [, endpointText, metricText, op, valueText] = match as unknown as Parts;
  const spec = findMetric(metricText);
  if (!spec) throw fail(`unknown metric "${metricText}" (use one of ${METRIC_NAMES.join(', ')})`);
  const endpoint = endpointText?.trim();
  if (endpoint && !spec.perEndpoint) throw fail(`${spec.name} is measured overall only; drop "${endpoint}:"`);
  const value = parseValue(valueText, spec, fail);
  return { source, ...(endpoint ? { endpoint } : {}), metric: spec.name, op, value };
}

function findMetric(text: string): (typeof METRIC_TABLE)[number] | undefined {
  return METRIC_TABLE.find((m) => m.name === text || (m.aliases as readonly string[]).includes(text));
}

function parseValue(text: string, spec: MetricSpec, fail: (problem: string) => ThresholdError): number {
  const match = VALUE.exec(text);
  if (!match) throw fail(`"${text}" is not a number (e.g. 200, 0.5s, 0.1%)`);
  const [, digits, unit = ''] = match as unknown as [string, string, string | undefined];
  const rule = UNIT_RULES[spec.kind];
  const shift = rule.accepted[unit];
  if (shift === undefined) throw fail(`${unit} only applies to ${UNIT_OWNERS[unit]}; ${spec.name} takes ${rule.form}`);
  const value = shiftDecimal(Number(digits), shift);
  if (spec.kind === 'fraction' && unit === '' && value > 1) {
    throw fail(`${digits} is not a fraction; write ${digits}% or ${shiftDecimal(value, -2)}`);
  }
  if (spec.kind === 'fraction' && value > 1) throw fail(`${digits}% is more than 100%`);
  return value;
}

/**
 * value × 10^places, rounded once from the decimal: `99.9%` and `0.999` give the same double
 * (99.9 / 100 does not), so a target means the same whichever way it is written.
 */
export function shiftDecimal(value: number, places: number): number {
  if (places === 0) return value;
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

function specOf(metric: Metric): MetricSpec {
  return METRIC_TABLE.find((m) => m.name === metric)!;
}

/** The unit the KPI table and check details show a metric in (`%` for error_rate and availability). */
export function displayUnit(metric: Metric): string {
  return UNIT_RULES[specOf(metric).kind].displayUnit;
}

/** A canonical value in the metric's display unit (a fraction → a percent). */
export function toDisplay(metric: Metric, canonicalValue: number): number {
  return shiftDecimal(canonicalValue, UNIT_RULES[specOf(metric).kind].displayShift);
}

/** A value in the metric's display unit back to its canonical unit (a percent → a fraction). */
export function fromDisplay(metric: Metric, displayValue: number): number {
  return shiftDecimal(displayValue, -UNIT_RULES[specOf(metric).kind].displayShift);
}

/** The KPI table's metrics, in its row order. */
export const CORE_METRICS: readonly CoreMetric[] = ['p50', 'p95', 'p99', 'throughput', 'error_rate', 'availability'];

/** The spec's targets, written in the grammar itself. */
export const DEFAULT_KPI_EXPRESSIONS: readonly string[] = [
  'p50<50ms',
  'p95<200ms',
  'p99<500ms',
  'throughput>10000',
  'error_rate<0.1%',
  'availability>99.9%',
];

/** A parsed target as the KPI table shows it: in display units, availability's ⚠️ band measured from 100%. */
export function toKpiTarget(t: Target): KpiTarget {
  const ideal = t.metric === 'availability' ? { ideal: toDisplay(t.metric, 1) } : {};
  return { op: t.op, value: toDisplay(t.metric, t.value), unit: displayUnit(t.metric), ...ideal };
}

/**
 * `--kpi` expressions over `base`: the same grammar as --threshold, overall targets on the table's rows only
 * (the table has no per-endpoint rows; per-endpoint targets belong to `loadlab run --threshold`).
 */
export function parseKpiTargets(
  expressions: readonly string[],
  base: Readonly<KpiTargets> = DEFAULT_KPI_TARGETS,
): KpiTargets {
  const targets: KpiTargets = { ...base };
  for (const expression of expressions) {
    const t = parseTarget(expression, '--kpi');
    const fail = (problem: string) => new ThresholdError(`--kpi "${t.source}": ${problem}`);
    if (t.endpoint !== undefined) {
      throw fail('the KPI table has overall rows only; give per-endpoint targets to loadlab run --threshold');
    }
    if (!(CORE_METRICS as readonly string[]).includes(t.metric)) {
      throw fail(`the KPI table has no ${t.metric} row (use one of ${CORE_METRICS.join(', ')})`);
    }
    targets[t.metric as CoreMetric] = toKpiTarget(t);
  }
  return targets;
}

function parseDefaults(): KpiTargets {
  const entries = DEFAULT_KPI_EXPRESSIONS.map((e) => parseTarget(e, 'default KPI'));
  return Object.fromEntries(entries.map((t) => [t.metric, toKpiTarget(t)])) as KpiTargets;
}

export const DEFAULT_KPI_TARGETS: Readonly<KpiTargets> = Object.freeze(parseDefaults());
