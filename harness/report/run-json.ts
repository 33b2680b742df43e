// Assembles run.json (schemaVersion 1) from phases, checks and config (pure).
import type { CheckReport, Environment, KpiRow, PhaseReport, RunJson } from './model.ts';

export interface RunJsonInputs {
  id: string;
  kind: string;
  startedAt: Date;
  finishedAt: Date;
  environment: Environment;
  config: Record<string, unknown>;
  phases: PhaseReport[];
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
    phases: i.phases,
    checks: i.checks,
    kpi: { rows: i.kpiRows ?? [] },
  };
}
