// Assembles run.json (schemaVersion 1) from phases, checks and config (pure).
import type { PhaseResult } from '../engine/phase-result.ts';
import type { RunConfig } from '../run/config.ts';
import type { CheckReport, Environment, KpiRow, RunJson } from './model.ts';

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
