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
  /** Worker threads that sent this phase's load (each on its own event loop); 1 when it ran on one thread. */
  threads?: number;
  saturationReason?: string;
}

export type Arrivals = 'uniform' | 'poisson';

/** Requests outside the measured phases that went to the target, so totals equal the server's own count. */
export interface SideRequests {
  requests: number;
  byStatus: Record<string, number>;
  byError?: Record<string, number>;
}

/** A sampled share of a phase's responses checked like the verification step (status, body shape, the id asked for). */
export interface AnswerChecks {
  sampleFraction: number;
  checked: number;
  wrong: number;
  /** The first wrong answer, described: what was asked and what came back. */
  firstProblem?: string;
}

/** How often each value of one response header came back in a phase (Level 4: x-node-id). */
export interface HeaderTally {
  header: string;
  counts: Record<string, number>;
  /** Responses without the header. */
  missing: number;
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
  /** Open model: how far behind its intended time each request left the generator. */
  sendLagMs?: LatencySummaryMs;
  /** Open model: latency from each request's actual send (not judged; latencyMs counts from the intended send). */
  serviceTimeMs?: LatencySummaryMs;
  arrivals?: Arrivals;
  answerChecks?: AnswerChecks;
  tally?: HeaderTally;
  /** Closed model: each connection's first response (connect + client start-up), kept out of latencyMs. */
  firstResponseMs?: LatencySummaryMs;
  generatorSaturated: boolean;
  /** Why the phase's figures may be the generator's (engine/saturation.ts); also in generator.saturationReason. */
  saturationReason?: string;
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
  /** The verification calls made before timing (every endpoint once). */
  verification?: SideRequests;
  /** The monitor's /ready and /metrics probes, when they went to the target itself. */
  probes?: SideRequests;
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
