// Assembles run.json (schemaVersion 1) from phases, checks and config (pure).
import type { PhaseResult } from '../engine/phase-result.ts';
import type { RunConfig } from '../run/config.ts';
import type { CheckReport, Environment, KpiRow, RunJson } from './model.ts';
import type { AggregateView } from '../run/aggregate.ts';
import type { Threshold } from '../run/thresholds.ts';

export interface RunJsonInputs {
  id: string;
  kind: string;
  startedAt: Date;
  finishedAt: Date;
  environment: Environment;
  config: Record<string, unknown>;
  phases: PhaseResult[];
  checks: CheckReport[];
  kpiRows?: KpiRow[];
}

export function buildRunJson(i: RunJsonInputs): RunJson {
  return {
    schemaVersion: 1,
    id: i.id,
    kind: i.kind,
    startedAt: i.startedAt.toISOString(),
    finishedAt: i.finishedAt.toISOString(),
    passed: i.checks.every((c) => c.passed),
    environment: i.environment,
    config: i.config,
    phases: i.phases.map((p) => p.report),
    checks: i.checks,
    kpi: { rows: i.kpiRows ?? [] },
  };
}

/** The effective config as plain JSON (thresholds as written, the scenario inline). */
export function describeConfig(config: RunConfig): Record<string, unknown> {
  const { thresholds, ...rest } = config;
  return { ...rest, thresholds: thresholds.map((t) => t.source) };
}

const KPI_METRICS: { metric: 'p50' | 'p95' | 'p99' | 'rps' | 'error_rate'; label: string; unit: string }[] = [
  { metric: 'p50', label: 'p50 latency', unit: 'ms' },
  { metric: 'p95', label: 'p95 latency', unit: 'ms' },
  { metric: 'p99', label: 'p99 latency', unit: 'ms' },
  { metric: 'rps', label: 'Throughput', unit: 'req/s' },
  { metric: 'error_rate', label: 'Error rate', unit: '%' },
];

/** KPI rows for the overall thresholds of a plain run, in the column `column` (a level name for the ladder). */
export function buildKpiRows(view: AggregateView, thresholds: Threshold[], checks: CheckReport[], column: string): KpiRow[] {
  return KPI_METRICS.flatMap(({ metric, label, unit }) => {
    const t = thresholds.find((x) => x.metric === metric && x.endpoint === undefined);
    if (!t) return [];
    const check = checks.find((c) => c.name === t.source);
    const raw = metric === 'rps' ? view.overall.throughputRps : metric === 'error_rate' ? view.overall.errorRate * 100 : view.overall.latencyMs[metric];
    const target = `${t.op} ${metric === 'error_rate' ? t.value * 100 : t.value} ${unit}`;
    return [{ metric: label, target, cells: { [column]: { value: raw, unit, status: check?.passed ? 'pass' : 'fail' } } }];
  });
}
