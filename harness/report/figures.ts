// What the ladder's judges return: typed figures and verdicts, no labels and no prose; report/words.ts words them.
// A leaf beside model.ts, so report/ can word a level without importing ladder/.
import type { OverloadBehaviour } from './model.ts';

/** A judged outcome: a machine name (the check's name in run.json), whether it passed, the value and the target. */
export interface Verdict {
  name: string;
  passed: boolean;
  value: number | null;
  /** The number the value was held to; null where the target is not one number (an SLO of several). */
  target: number | null;
}

/** Level 1: the speed-up over Level 0 and the cores the SUT really had. */
export interface ScalingFigures {
  kind: 'scaling';
  workers: number;
  cores: number;
  /** null: no Level 0 ran in this invocation. */
  speedUp: number | null;
  efficiencyPct: number | null;
  speedUpTarget: number;
  efficiencyTargetPct: number;
}

/** Level 2 when loadlab sent no signal (a --target deployment): the reload check did not run. */
export interface ReloadSkippedFigures {
  kind: 'reload';
  method: 'none';
  requested: number;
}

/** Level 2: the rolling reloads (or SIGKILLs, the negative control) and what the open phase lost to them. */
export interface ReloadDoneFigures {
  kind: 'reload';
  method: 'reload' | 'kill';
  requested: number;
  done: number;
  /** From the open phase's start, one per finished reload. */
  finishedAtMs: number[];
  /** From the open phase's start, one per reload begun. */
  startedAtMs: number[];
  /**
   * Latency of the answers that arrived inside the reload windows (each from its SIGHUP to 1 s after it
   * finished, in whole seconds of the phase) and outside them; null when a side had no answer.
   */
  p99DuringReloadsMs: number | null;
  p99OutsideReloadsMs: number | null;
  /** Seconds of the open phase counted as inside a reload window. */
  reloadWindowSec: number;
  /** The p99 a reload window may have (ms). */
  p99DuringTargetMs: number;
  duringVerdict: Verdict;
  /** Reloads that finished inside the open phase. */
  inPhase: number;
  openDurationSec: number;
  targetRps: number;
  sent: number;
  failed: number;
  inFlight: number;
  /** failed + inFlight: the requests the reloads may have cost. */
  lost: number;
  unavailable: number;
  availabilityPct: number;
  resetRetries: number;
  /** Failures by status (≥ 400) then by error, in the order run.json lists them. */
  errorsByKind: Record<string, number>;
  error?: string;
  verdict: Verdict;
}

export type ReloadFigures = ReloadSkippedFigures | ReloadDoneFigures;

/** Level 3: enqueue and processing rates, the backlog, and how busy the queue was during the open phase. */
export interface QueueFigures {
  kind: 'queue';
  enqueueRps: number;
  enqueueTargetRps: number;
  accepted: number;
  enqueueDurationSec: number;
  failedEnqueues: number;
  /** Enqueue failures by status and error (only read when failedEnqueues > 0). */
  enqueueErrors: Record<string, number>;
  processingRatePerSec: number | null;
  /** From the enqueue phase's start until the backlog first drained; null: it never did. */
  drainedAfterSec: number | null;
  maxDepth: number | null;
  /** One-second queue samples of the open phase, and how many of them had jobs queued or running. */
  openSamples: number;
  busySamples: number;
  /** The second client that kept jobs arriving during the open phase. */
  background?: { jobs: number; achievedRps: number };
}

/** The chi-square test of the balancer's split, as the distribution check computed it. */
export interface DistributionFigures {
  /** Responses per node, sorted by node, every expected node included (0 if it never answered). */
  perNode: { node: string; count: number }[];
  total: number;
  chiSquare: number;
  pValue: number;
  /** Significance level: the split is uneven when p < alpha. */
  alpha: number;
  /** Allowed deviation of a share, relative to an equal share (0.1 = ±10%). */
  tolerance: number;
  /** Nodes whose share is outside the tolerance. */
  outside: string[];
  /** p ≥ alpha: the χ² half of the check. */
  even: boolean;
  /** The header counted (x-node-id), and the responses without it: any fails the check. */
  header: string;
  missing: number;
}

/** One measured phase whose responses the distribution check counted. */
export interface TalliedPhase {
  name: string;
  /** completed + failed: every answer the phase recorded. */
  responses: number;
  /** From the engine's tally: responses whose header named a node (null: it kept no tally of the phase)… */
  counted: number | null;
  /** …and responses without the header. */
  missing: number;
}

/** Level 4: the distribution over the nodes and the efficiency against M × Level 2. */
export interface ClusterFigures {
  kind: 'cluster';
  /** The level's measured phases (throughput, then latency); their tallies are summed into one check. */
  phases: TalliedPhase[];
  distribution: DistributionFigures;
  maxDeviationPct: number | null;
  nodes: number;
  /** null: no Level 2 ran in this invocation. */
  level2Rps: number | null;
  efficiencyPct: number | null;
  efficiencyTargetPct: number;
  verdict: Verdict;
}

export type LevelFigures = ScalingFigures | ReloadFigures | QueueFigures | ClusterFigures;

/** One cache run's figures (cold or warm). */
export interface CacheRunFigures {
  p50Ms: number;
  throughputRps: number;
  hitRatePct: number | null;
}

/** The cache bench's cold run's first second, and the flush before it: did the cold run start cold? */
export interface CacheColdStartFigures {
  windowSec: number;
  /** Cache reads the SUT counted in that window (/metrics hits + misses). */
  reads: number;
  /** null: no reads counted (or /metrics did not answer). */
  hitRatePct: number | null;
  /** The most a cold cache shows from the window's own repeated ids (expected + 3 sd + 1 read); null: no reads. */
  boundPct: number | null;
  /** From the flush's answer; null where the SUT did not say. */
  workersFlushed: number | null;
  flushComplete: boolean | null;
  /** Workers loadlab started (null: --target). */
  workersStarted: number | null;
  verdict: Verdict;
}

/** Cache bench: cold vs warm over the same ids with the same seeds. */
export interface CacheFigures {
  kind: 'cache';
  deployment: string;
  /** One worker unless --workers: each worker warms its own LRU (a flush empties them all). */
  workersGiven: boolean;
  runSec: number;
  connections: number;
  idRange: number;
  /** The simulated upstream a miss pays (the SUT's LATENCY). */
  missLatency: string;
  cold: CacheRunFigures;
  warm: CacheRunFigures;
  /** cold p50 ÷ warm p50, and warm throughput ÷ cold throughput; null where the divisor is 0. */
  p50SpeedUp: number | null;
  rpsSpeedUp: number | null;
  /** Both speed-ups must exceed this: the cache must help at all. */
  speedUpTarget: number;
  verdict: Verdict;
  coldStart: CacheColdStartFigures;
}

export interface Slo {
  errorRatePct: number;
  p99Ms: number;
}

export interface SearchOptions {
  startRps: number;
  /** Stop doubling here: the search reports "at least maxRps". */
  maxRps: number;
  /** Stop when the bracket (breakdown − sustainable) is within this fraction of the breakdown rate. */
  precision: number;
  /** Below this the target cannot sustain anything worth searching. */
  minRps: number;
}

export interface Probe {
  rateRps: number;
  errorRatePct: number;
  p99Ms: number;
  achievedRps: number;
  passed: boolean;
  /** The phase's generator was saturated: the verdict may describe the generator. */
  generatorSaturated: boolean;
  /** What the target did with the probe's load (report/overload.ts). */
  overload?: OverloadBehaviour;
}

/** Stress bench: the search for the highest arrival rate that meets the SLO, every probe listed. */
export interface StressFigures {
  kind: 'stress';
  deployment: string;
  /** --path: an ad-hoc GET of this path instead of the standard mix. */
  path?: string;
  probeSec: number;
  cooldownSec: number;
  /** The closed phase the first probe rate came from; null when --start-rate gave it. */
  capacitySec: number | null;
  slo: Slo;
  search: SearchOptions;
  /** The highest probed rate that met the SLO (0: none did). */
  maxSustainableRps: number;
  /** The lowest probed rate that missed it (null: none did up to maxRps). */
  breakdownRps: number | null;
  /** What the target did at the breakdown rate: its behaviour beyond capacity (null: no breakdown found). */
  beyondCapacity: OverloadBehaviour | null;
  probes: Probe[];
  verdict: Verdict;
}

export interface KneeStep {
  connections: number;
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  /** Throughput gain over the previous step, in % (null for the first). */
  gainPct: number | null;
}

export interface KneeOptions {
  maxConnections: number;
  /** Doubling the connections must raise throughput by at least this much to count as still rising. */
  minGainPct: number;
}

/** Knee bench: the concurrency sweep and where throughput stopped rising. */
export interface KneeFigures {
  kind: 'knee';
  deployment: string;
  path?: string;
  stepSec: number;
  rule: KneeOptions;
  steps: KneeStep[];
  /** null: no step ran. */
  knee: KneeStep | null;
  stoppedRising: boolean;
  verdict: Verdict;
}

export type AnalysisFigures = CacheFigures | StressFigures | KneeFigures;

export type Figures = LevelFigures | AnalysisFigures;
