// Threshold expressions as data, k6-style: `p95<200`, `error_rate<0.001`, `rps>1000`, `GET /api/users/:id:p99<=500ms`.
import { ThresholdError } from '../errors.ts';

export const LATENCY_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean'] as const;
export const METRICS = [...LATENCY_METRICS, 'error_rate', 'rps'] as const;
export type Metric = (typeof METRICS)[number];
export type Operator = '<' | '<=' | '>' | '>=';

export interface Threshold {
  /** The expression as written, used as the check's name. */
  source: string;
  /** Route pattern (e.g. `GET /api/users/:id`); absent for the overall figures. */
  endpoint?: string;
  metric: Metric;
  op: Operator;
  /** In ms for latency metrics, a fraction for error_rate, req/s for rps. */
  value: number;
}

const EXPR = /^(?:(.+):)?([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\S+)$/;
const NUMBER = /^(\d+(?:\.\d+)?)(ms|s|%)?$/;

/** Parses one expression; the error says what was wrong and shows the accepted form. */
export function parseThreshold(expression: string): Threshold {
  const source = expression.trim();
  const match = EXPR.exec(source);
  if (!match) throw new ThresholdError(`--threshold "${expression}": expected [ENDPOINT:]METRIC OP VALUE, e.g. p95<200 or "GET /api/users/:id:p99<=500"`);
  const [, endpoint, metricText, op, valueText] = match as unknown as [string, string | undefined, string, Operator, string];
  if (!(METRICS as readonly string[]).includes(metricText)) {
    throw new ThresholdError(`--threshold "${expression}": unknown metric "${metricText}" (use one of ${METRICS.join(', ')})`);
  }
  const metric = metricText as Metric;
  return { source, ...(endpoint ? { endpoint: endpoint.trim() } : {}), metric, op, value: parseValue(valueText, metric, expression) };
}

function parseValue(text: string, metric: Metric, expression: string): number {
  const match = NUMBER.exec(text);
  if (!match) throw new ThresholdError(`--threshold "${expression}": "${text}" is not a number`);
  const number = Number(match[1]);
  const unit = match[2];
  const isLatency = (LATENCY_METRICS as readonly string[]).includes(metric);
  if (unit === '%') {
    if (metric !== 'error_rate') throw new ThresholdError(`--threshold "${expression}": % only applies to error_rate`);
    return number / 100;
  }
  if (unit === 'ms' || unit === 's') {
    if (!isLatency) throw new ThresholdError(`--threshold "${expression}": ${unit} only applies to latency metrics`);
    return unit === 's' ? number * 1000 : number;
  }
  return number;
}

export function compare(actual: number, op: Operator, target: number): boolean {
  switch (op) {
    case '<':
      return actual < target;
    case '<=':
      return actual <= target;
    case '>':
      return actual > target;
    case '>=':
      return actual >= target;
  }
}
