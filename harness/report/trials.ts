// One trial's figures for run.json's `trials` (what compare reads): the core KPIs, p50/p99 per endpoint from the
// latency phase, and a level's own rows, each with its unit and which way is better (pure).
import type { CoreMetric, ExtraKpi } from './kpi-table.ts';
import type { EndpointReport, TrialMetric, TrialReport } from './model.ts';

const CORE: Record<CoreMetric, Pick<TrialMetric, 'unit' | 'better'>> = {
  throughput: { unit: 'req/s', better: 'higher' },
  p50: { unit: 'ms', better: 'lower' },
  p95: { unit: 'ms', better: 'lower' },
  p99: { unit: 'ms', better: 'lower' },
  error_rate: { unit: '%', better: 'lower' },
  availability: { unit: '%', better: 'higher' },
};

export interface TrialInputs {
  trial: number;
  group: string;
  core: Record<CoreMetric, number>;
  /** The latency phase's endpoints (the open phase's; a closed-only run's). */
  endpoints: EndpointReport[];
  extras?: ExtraKpi[];
}

export function buildTrialReport(i: TrialInputs): TrialReport {
  const core = (Object.keys(CORE) as CoreMetric[]).map((name) => ({ name, value: i.core[name], ...CORE[name] }));
  const endpoints = i.endpoints.flatMap((e) => [
    { name: `${e.name} p50`, value: e.latencyMs.p50, unit: 'ms', better: 'lower' as const },
    { name: `${e.name} p99`, value: e.latencyMs.p99, unit: 'ms', better: 'lower' as const },
  ]);
  const extras = (i.extras ?? []).map((x) => ({ name: x.metric, value: x.value, unit: x.unit, better: betterOf(x) }));
  return { trial: i.trial, group: i.group, metrics: [...core, ...endpoints, ...extras] };
}

function betterOf(x: ExtraKpi): TrialMetric['better'] {
  if (typeof x.target === 'string') return null;
  return x.target.op.startsWith('>') ? 'higher' : 'lower';
}
