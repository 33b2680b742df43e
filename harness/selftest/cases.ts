// Self-test cases: each runs one engine against a fresh oracle and compares percentiles and counts with the truth.
import type { OracleTiming } from './oracle.ts';
import { spawnOracle } from './oracle-process.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Http1Pool } from '../engine/http1.ts';
import { createOpenPool, defaultMaxSockets, runOpen } from '../engine/open.ts';
import { runClosed } from '../engine/closed.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import type { Recorder } from '../engine/recorder.ts';
import type { Arrivals } from '../report/model.ts';
import {
  comparePercentiles,
  DEFAULT_PERCENTILES,
  judgeCase,
  flagReasons,
  type PercentileComparison,
  type PercentileName,
  type Truth,
  type Verdict,
} from './expect.ts';

export interface SelftestCase {
  name: string;
  timing: OracleTiming;
  model: 'open' | 'closed';
  targetRps?: number;
  connections?: number;
  /** Open model: evenly spaced (default) or Poisson arrivals. */
  arrivals?: Arrivals;
  durationSec: number;
  warmupSec: number;
  /** Percentiles compared with the truth; default p50, p90, p99. */
  percentiles?: readonly PercentileName[];
  /** Compared with the oracle's model (default) or with its record of this run (expect.ts, Truth). */
  truth?: Truth;
}

export interface CaseOutcome {
  case: SelftestCase;
  comparisons: PercentileComparison[];
  sent: number;
  completed: number;
  failed: number;
  inFlight: number;
  oracleCount: number;
  countsMatch: boolean;
  lateSends?: number;
  /** Open model: p99 of how late sends left after their intended time, in ms. */
  sendLagP99Ms?: number;
  /** Largest event-loop stall of the generator during the measured run, in ms. */
  generatorStallMs: number;
  /** The generator's event-loop delay p99 during the measured run, in ms. */
  eventLoopP99Ms: number;
  /** Largest gap, over the percentiles compared, between how long the oracle really held requests and its model. */
  oracleErrorMs: number;
  /** Attempts made; an attempt that was flagged, or failed while the generator was visibly disturbed, is retried. */
  attempts: number;
  verdict: Verdict;
  /** Why: the saturation reasons of a flagged case, what disagreed in a failed one. */
  reason: string;
}

/** Evidence that another process disturbed the generator: a stalled event loop or over 1% late sends. */
export const DISTURBED = { loopStallMs: 20, lateShare: 0.01 } as const;
const MAX_ATTEMPTS = 3;
/** monitorEventLoopDelay's resolution; its figures include it. */
const LOOP_RESOLUTION_MS = 5;

export interface RetryOptions {
  onRetry?: (o: CaseOutcome) => void;
  /** Asked before each retry (e.g. a time budget); default: always. */
  mayRetry?: () => boolean;
}

/** Runs a case, retrying (at most twice) an attempt that was flagged or failed while the generator was disturbed. */
export async function runSelftestCaseWithRetry(c: SelftestCase, opts: RetryOptions = {}): Promise<CaseOutcome> {
  let outcome = await runSelftestCase(c);
  for (let attempt = 2; shouldRetry(outcome) && attempt <= MAX_ATTEMPTS && (opts.mayRetry?.() ?? true); attempt++) {
    opts.onRetry?.(outcome);
    outcome = { ...(await runSelftestCase(c)), attempts: attempt };
  }
  return outcome;
}

export function shouldRetry(o: CaseOutcome): boolean {
  return o.verdict === 'flagged' || (o.verdict === 'failed' && o.countsMatch && isDisturbed(o));
}

export function isDisturbed(o: CaseOutcome): boolean {
  return o.generatorStallMs > DISTURBED.loopStallMs || (o.lateSends ?? 0) > DISTURBED.lateShare * o.sent;
}

// Slow cases: 200 ms service times, where the client's own floor (~0.2–3 ms) is far inside the 5% tolerance.
const SLOW_STALLS: OracleTiming = { serviceMs: 200, stallPeriodMs: 1000, stallMs: 300 };
// Fast cases: a 2 ms service time, where the tolerance is 0.5 ms and the client's floor is what is tested.
// With 50 ms stalls every 500 ms, 10% of requests stall: p90 sits on the edge and is not compared (expect.ts).
const FAST_STALLS: OracleTiming = { serviceMs: 2, stallPeriodMs: 500, stallMs: 50 };

/** Modest rates, so the generator and the oracle fit on two cores together. */
export const DEFAULT_CASES: SelftestCase[] = [
  {
    name: 'open, fixed 200 ms',
    timing: { serviceMs: 200 },
    model: 'open',
    targetRps: 400,
    durationSec: 4,
    warmupSec: 1,
  },
  { name: 'open, stalls, 200/s', timing: SLOW_STALLS, model: 'open', targetRps: 200, durationSec: 5, warmupSec: 1 },
  { name: 'open, stalls, 800/s', timing: SLOW_STALLS, model: 'open', targetRps: 800, durationSec: 5, warmupSec: 1 },
  {
    name: 'closed, fixed 200 ms',
    timing: { serviceMs: 200 },
    model: 'closed',
    connections: 16,
    durationSec: 6,
    warmupSec: 1,
  },
  // At 2 ms the oracle's own wake-ups (a timer thread, its event loop) hold p99 for 3–5 ms on this class of
  // machine: the fast cases are compared with its record of how long it really held each request (arrival to
  // written answer), so they judge the engine, not the oracle's punctuality.
  {
    name: 'open, fixed 2 ms',
    timing: { serviceMs: 2 },
    model: 'open',
    targetRps: 1000,
    durationSec: 4,
    warmupSec: 1,
    truth: 'oracle record',
  },
  {
    name: 'closed, fixed 2 ms',
    timing: { serviceMs: 2 },
    model: 'closed',
    connections: 4,
    durationSec: 4,
    warmupSec: 1,
    truth: 'oracle record',
  },
  // When a stall ends the oracle writes ~100 answers one after another, so the middle of the burst (p95) leaves
  // ~1.2 ms after its modelled time on this class of machine: the case is compared with the oracle's record of
  // when it really wrote each answer, the server's truth, which the client must then match within the tolerance.
  {
    name: 'open, 2 ms, stalls, 2000/s',
    timing: FAST_STALLS,
    model: 'open',
    targetRps: 2000,
    durationSec: 5,
    warmupSec: 1,
    percentiles: ['p50', 'p95', 'p99'],
    truth: 'oracle record',
  },
  // Which share of a Poisson run lands in stalls is itself random (at 10,000 requests the p95 of the model
  // spreads ≈ 1.1 ms against a 1.35 ms tolerance), so this case too is compared with the oracle's own record of
  // this run. p90 sits on the stall edge, where 0.2% of requests delayed by 3 ms move it by 1 ms: not compared.
  {
    name: 'open, 2 ms, stalls, 2000/s, Poisson',
    timing: FAST_STALLS,
    model: 'open',
    targetRps: 2000,
    arrivals: 'poisson',
    durationSec: 5,
    warmupSec: 1,
    percentiles: ['p50', 'p95', 'p99'],
    truth: 'oracle record',
  },
];

export async function runSelftestCase(c: SelftestCase): Promise<CaseOutcome> {
  const oracle = await spawnOracle(c.timing);
  try {
    const pool =
      c.model === 'open'
        ? createOpenPool(oracle.url, { timeoutMs: 10_000, maxSockets: defaultMaxSockets(c.targetRps!, 10_000) })
        : undefined;
    if (c.warmupSec > 0) await drive(c, oracle.url, c.warmupSec, pool);
    const before = await settledCount(() => oracle.count());
    await oracle.takeHeld(); // the warm-up's answers are not judged
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const { recorder, lateSends, lateThresholdMs, sendLagP99Ms } = await drive(c, oracle.url, c.durationSec, pool);
    loop.disable();
    const generatorStallMs = Math.round(Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS));
    const eventLoopP99Ms = Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS);
    await pool?.close();
    const oracleCount = (await settledCount(() => oracle.count())) - before;
    const { heldMs } = await oracle.takeHeld();
    const { sent, completed, failed } = recorder.counts;
    const latency = recorder.histogram.summarizeMs();
    const comparisons = comparePercentiles(
      c.timing,
      latency,
      c.percentiles ?? DEFAULT_PERCENTILES,
      heldMs,
      c.truth ?? 'model',
    );
    const inFlight = sent - completed - failed;
    const generator = {
      sent,
      lateSends,
      lateThresholdMs,
      sendLagP99Ms,
      latencyP99Ms: latency.p99,
      busyCpuPct: 0, // no per-thread CPU figure here; the event loop and send lag stand for it
      eventLoopP99Ms,
    };
    const { verdict, reason } = judgeCase({
      comparisons,
      sent,
      oracleCount,
      failed,
      flagReasons: flagReasons(generator, comparisons),
    });
    return {
      case: c,
      comparisons,
      sent,
      completed,
      failed,
      inFlight,
      oracleCount,
      countsMatch: oracleCount === sent,
      ...(lateSends !== undefined ? { lateSends, sendLagP99Ms } : {}),
      generatorStallMs,
      eventLoopP99Ms,
      oracleErrorMs: Math.max(0, ...comparisons.map((x) => Math.abs((x.oracleMs ?? x.expectedMs) - x.expectedMs))),
      attempts: 1,
      verdict,
      reason,
    };
  } finally {
    await oracle.close();
  }
}

interface Driven {
  recorder: Recorder;
  lateSends?: number;
  lateThresholdMs?: number;
  sendLagP99Ms?: number;
}

/** The open engine's default late threshold (engine/open.ts), named in the saturation reason. */
const LATE_THRESHOLD_MS = 2;

async function drive(c: SelftestCase, target: string, durationSec: number, pool?: Http1Pool): Promise<Driven> {
  const scenario = createAdHocScenario({ path: '/' });
  if (c.model === 'open') {
    const r = await runOpen({
      target,
      scenario,
      targetRps: c.targetRps!,
      durationSec,
      pool,
      arrivals: c.arrivals ?? 'uniform',
      lateThresholdMs: LATE_THRESHOLD_MS,
    });
    return {
      recorder: r.recorder,
      lateSends: r.lateSends,
      lateThresholdMs: LATE_THRESHOLD_MS,
      sendLagP99Ms: r.sendLag.percentileMs(99),
    };
  }
  return { recorder: (await runClosed({ target, scenario, connections: c.connections!, durationSec })).recorder };
}

/** The oracle counts on arrival; a request written just before the engine stopped may still be on the wire. */
async function settledCount(count: () => Promise<number>): Promise<number> {
  let last = await count();
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await count();
    if (now === last) return now;
    last = now;
  }
  return last;
}
