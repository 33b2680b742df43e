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

/**
 * What the target did with a phase's load, from its answers (report/overload.ts): refused the excess with 503
 * (shed) or 429 (limited), let it wait (queued: latency grew, no errors), dropped it (failed: timeouts, resets,
 * refusals), or nothing of the kind (none: the phase was within capacity).
 */
export type OverloadBehaviour = 'shed' | 'limited' | 'queued' | 'failed' | 'none';

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
  /** Open model: arrivals the generator never wrote to a socket by the phase's end (all connections busy); not in `requests`. */
  unsent?: number;
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
  /** What the target did with the load (report/overload.ts); set when the run finishes. */
  overload?: OverloadBehaviour;
  /** Each sampled process (by pid) and generator thread over the phase: the monitor's per-pid series summarised. */
  processes?: ProcessReport[];
  /** The machine's busy share of all its cores (/proc/stat), 0–100, over the phase's samples. */
  machineCpuPctMean?: number;
  machineCpuPctMax?: number;
  /** What the monitor's own sampling cost during the phase. */
  monitor?: MonitorCost;
  latencyMs: LatencySummaryMs;
  endpoints: EndpointReport[];
}

/**
 * One process over a phase, from the samples that had its figures: a worker replaced mid-phase has its own entry
 * for the part of the phase it lived. CPU% is of one core (a busy process on two cores shows 200).
 */
export interface ProcessReport {
  /** e.g. "sut-primary", "sut-worker:4242", "postgres" (with its backends), "nginx", "generator-main". */
  name: string;
  /** What its figures are summed into: "sut", "postgres", "redis", "lb", "generator". */
  group?: string;
  /** The process's pid (a thread's id for a thread). */
  pid?: number;
  cpuPctMean: number;
  cpuPctMax: number;
  /** Absent for a thread (threads share their process's memory). */
  rssMbMax?: number;
  /** One of the generator's threads; only threads that used CPU in the phase are listed. */
  thread?: boolean;
}

/** The monitor's own cost in one phase (the method line quotes it). */
export interface MonitorCost {
  samples: number;
  /**
   * Milliseconds per sample the generator's main thread spent reading /proc and parsing /metrics (synchronous work,
   * so time its event loop could not send): an upper bound, the smaller of wall and process CPU time over that code.
   * The probes' HTTP runs asynchronously and is not in it.
   */
  msPerSample: number;
  /** Processes and generator threads read per sample (means). */
  processes: number;
  threads: number;
  /** Named processes loadlab did not start, so not sampled (e.g. "postgres" behind DATABASE_URL). */
  notSampled?: string[];
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

/** One KPI of one trial, as compare reads it: `better` says which way is an improvement (null: neither). */
export interface TrialMetric {
  name: string;
  value: number | null;
  unit: string;
  better: 'higher' | 'lower' | null;
}

/** One trial of one level (or of `run`): its figures, each trial judged like a run of its own. */
export interface TrialReport {
  trial: number;
  group: string;
  metrics: TrialMetric[];
}

/** The machine a run measured on, as calibration reads it. */
export interface MachineIdentity {
  cpuModel: string;
  cores: number;
  memoryMb: number;
  kernel: string;
  os: string;
  node: string;
}

/** The machine's reference figures, measured in the run's own session (harness/run/calibration.ts). */
export interface CalibrationReport {
  machine: MachineIdentity;
  /** A bare node:http server's closed-model throughput under loadlab's closed engine. */
  httpRps: number;
  /** A fixed CPU workload's time (median of 5). */
  cpuMs: number;
  durationSec: number;
  connections: number;
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
  /** Every trial's figures; a run of one trial has one entry per level. */
  trials?: TrialReport[];
  calibration?: CalibrationReport;
  checks: CheckReport[];
  kpi: { rows: KpiRow[] };
}

/** One sample of the monitor (about once a second): the generator's own load and the SUT's. */
export interface MonitorSample {
  generatorCpuPct: number;
  eventLoopP99Ms: number;
  /** The "sut" group's sums of its processes' per-pid figures (so never negative, even when workers are replaced). */
  sutCpuPct?: number;
  sutRssMb?: number;
  readyStatus?: number | 'down';
  metricsOk?: boolean;
  /** The machine's busy share of all its cores since the previous sample (/proc/stat), 0–100. */
  machineCpuPct?: number;
  /** Every process sampled, by pid, and the generator's threads. */
  processes?: ProcessSample[];
  /** Per group ("sut", "postgres", "redis", "lb", "generator"): sums of its processes' figures. */
  groups?: Record<string, { cpuPct?: number; rssMb?: number }>;
  /** From the SUT's /metrics, absent when it does not expose them: the workers' mean event-loop p99 (less the 10 ms sampling interval). */
  sutEventLoopP99Ms?: number;
  /** From /metrics: requests being served, pool connections open, idle and waited for (summed over workers). */
  sutInFlight?: number;
  dbPoolTotal?: number;
  dbPoolIdle?: number;
  dbPoolWaiting?: number;
  /** From /metrics: cache hits among cache reads since the previous scrape, %; absent when it cannot be compared. */
  cacheHitPct?: number;
  /** From /metrics: jobs in the queue by state. */
  queueWaiting?: number;
  queueActive?: number;
  queueDelayed?: number;
  /** Main-thread milliseconds this sample spent reading /proc and parsing /metrics (MonitorCost.msPerSample). */
  monitorMs?: number;
}

/** One process (or one of the generator's threads) in one monitor sample. */
export interface ProcessSample {
  /** e.g. "sut-primary", "sut-worker:4242", "postgres", "nginx-worker:4300", "generator", "generator-thread:4250". */
  name: string;
  group: string;
  /** The pid (a thread's id for a thread). */
  pid: number;
  /** Share of one core since the previous reading of this same process (pid and start time); absent on its first. */
  cpuPct?: number;
  rssMb?: number;
  /** One of the generator's threads: in no group sum (the "generator" process figure has them all). */
  thread?: boolean;
}

/** What happened in one window (normally one second), read and cleared by the progress/series ticker. */
export interface WindowSnapshot {
  responses: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** The second's latencies, encoded (engine/histogram.ts): windows merge exactly (Level 2's reload windows). */
  histogram?: string;
}

/** One row of series.csv: one second of one phase. */
export interface SeriesRow {
  second: number;
  phase: string;
  window: WindowSnapshot;
  sample: MonitorSample;
}
