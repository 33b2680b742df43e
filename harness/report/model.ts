// The run.json contract (schemaVersion 1) as TypeScript types; report/run.schema.json is its JSON Schema.
// A leaf: every other module may import these types, and this file imports nothing.

export type LoadModel = 'open' | 'closed';

/** Percentile summary in milliseconds, the shape run.json uses for `latencyMs`. */
export interface LatencySummaryMs {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface EndpointReport {
  name: string;
  requests: number;
  failed: number;
  throughputRps: number;
  latencyMs: LatencySummaryMs;
}

export interface GeneratorReport {
  cpuPctMean: number;
  cpuPctMax: number;
  eventLoopP99Ms: number;
  saturationReason?: string;
}

/** Exact accounting of one phase (or endpoint): sent = completed + failed + in flight. */
export interface RequestCounts {
  sent: number;
  completed: number;
  failed: number;
  inFlight: number;
  byStatus: Record<string, number>;
  byError: Record<string, number>;
}

export interface PhaseReport {
  name: string;
  model: LoadModel;
  targetRps?: number;
  fromRps?: number;
  connections?: number;
  durationSec: number;
  elapsedSec: number;
  judged: boolean;
  requests: RequestCounts;
  throughputRps: number;
  /** Open model: sends per second of schedule actually made, and sends that left later than the rule allows. */
  achievedRps?: number;
  lateSends?: number;
  /** Open model: idempotent requests resent once after their reused keep-alive socket was closed under them. */
  resetRetries?: number;
  lateThresholdMs?: number;
  sendLagMs?: LatencySummaryMs;
  /** Closed model: each connection's first response (connect + client start-up), kept out of latencyMs. */
  firstResponseMs?: LatencySummaryMs;
  generatorSaturated: boolean;
  generator: GeneratorReport;
  sut?: { cpuPctMax: number; rssMbMax: number };
  latencyMs: LatencySummaryMs;
  endpoints: EndpointReport[];
}

export interface CheckReport {
  name: string;
  passed: boolean;
  value: number | string | null;
  target: number | string | null;
  detail: string;
}

export interface KpiCell {
  value: number | null;
  unit: string;
  status: 'pass' | 'warn' | 'fail';
}

export interface KpiRow {
  metric: string;
  target: string;
  cells: Record<string, KpiCell>;
}

export interface Environment {
  node: string;
  cpus: number;
  cpuModel: string;
  os: string;
  gitCommit: string | null;
}

export interface RunJson {
  schemaVersion: 1;
  id: string;
  kind: string;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  environment: Environment;
  config: Record<string, unknown>;
  phases: PhaseReport[];
  checks: CheckReport[];
  kpi: { rows: KpiRow[] };
}

/** One sample of the monitor (about once a second): the generator's own load and the SUT's. */
export interface MonitorSample {
  generatorCpuPct: number;
  eventLoopP99Ms: number;
  sutCpuPct?: number;
  sutRssMb?: number;
  readyStatus?: number | 'down';
  metricsOk?: boolean;
}

/** What happened in one window (normally one second), read and cleared by the progress/series ticker. */
export interface WindowSnapshot {
  responses: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** One row of series.csv: one second of one phase. */
export interface SeriesRow {
  second: number;
  phase: string;
  window: WindowSnapshot;
  sample: MonitorSample;
}
