// Assembles run.json (schemaVersion 1) from phases, checks and config (pure).
import type {
  CalibrationReport,
  CheckReport,
  Environment,
  KpiRow,
  PhaseReport,
  RunJson,
  SideRequests,
  TrialReport,
} from './model.ts';

export interface RunJsonInputs {
  id: string;
  kind: string;
  startedAt: Date;
  finishedAt: Date;
  environment: Environment;
  config: Record<string, unknown>;
  /** Verification calls and same-origin monitor probes: with the phases' sent, what the server saw. */
  verification?: SideRequests;
  probes?: SideRequests;
  phases: PhaseReport[];
  trials?: TrialReport[];
  calibration?: CalibrationReport;
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
    ...(i.verification ? { verification: i.verification } : {}),
    ...(i.probes ? { probes: i.probes } : {}),
    phases: i.phases,
    ...(i.trials?.length ? { trials: i.trials } : {}),
    ...(i.calibration ? { calibration: i.calibration } : {}),
    checks: i.checks,
    kpi: { rows: i.kpiRows ?? [] },
  };
}
