// Self-test cases: each runs one engine against a fresh oracle and compares percentiles and counts with the truth.
import type { OracleTiming } from './oracle.ts';
import { spawnOracle } from './oracle-process.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Pool } from 'undici';
import { createOpenPool, defaultMaxSockets, runOpen } from '../engine/open.ts';
import { runClosed } from '../engine/closed.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import type { Recorder } from '../engine/recorder.ts';
import { comparePercentiles, type PercentileComparison } from './expect.ts';

export interface SelftestCase {
  name: string;
  timing: OracleTiming;
  model: 'open' | 'closed';
  targetRps?: number;
  connections?: number;
  durationSec: number;
  warmupSec: number;
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
  /** Largest event-loop stall of the generator during the measured run, in ms. */
  generatorStallMs: number;
  /** Attempts made; a failed attempt is retried only when the machine visibly disturbed the generator. */
  attempts: number;
  passed: boolean;
}

/** Evidence that another process disturbed the generator: a stalled event loop or over 1% late sends. */
export const DISTURBED = { loopStallMs: 20, lateShare: 0.01 } as const;
const MAX_ATTEMPTS = 3;

/** Runs a case, retrying (at most twice) an attempt that failed while the generator was visibly disturbed. */
export async function runSelftestCaseWithRetry(
  c: SelftestCase,
  onRetry?: (o: CaseOutcome) => void,
): Promise<CaseOutcome> {
  let outcome = await runSelftestCase(c);
  for (let attempt = 2; !outcome.passed && isDisturbed(outcome) && attempt <= MAX_ATTEMPTS; attempt++) {
    onRetry?.(outcome);
    outcome = { ...(await runSelftestCase(c)), attempts: attempt };
  }
  return outcome;
}

export function isDisturbed(o: CaseOutcome): boolean {
  return o.generatorStallMs > DISTURBED.loopStallMs || (o.lateSends ?? 0) > DISTURBED.lateShare * o.sent;
}

// Service times are long enough that the tolerance (5%) exceeds the floor of a Node client on loopback
// (timer granularity, send lag, parsing: ~1–3 ms at p50, up to ~5 ms at p99 on a busy two-core machine).
const STALLS: OracleTiming = { serviceMs: 200, stallPeriodMs: 1000, stallMs: 300 };

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
  { name: 'open, stalls, 200/s', timing: STALLS, model: 'open', targetRps: 200, durationSec: 5, warmupSec: 1 },
  { name: 'open, stalls, 800/s', timing: STALLS, model: 'open', targetRps: 800, durationSec: 5, warmupSec: 1 },
  {
    name: 'closed, fixed 200 ms',
    timing: { serviceMs: 200 },
    model: 'closed',
    connections: 16,
    durationSec: 6,
    warmupSec: 1,
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
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const { recorder, lateSends } = await drive(c, oracle.url, c.durationSec, pool);
    loop.disable();
    const generatorStallMs = Math.round(Math.max(0, loop.max / 1e6 - 5));
    await pool?.close();
    const oracleCount = (await settledCount(() => oracle.count())) - before;
    const { sent, completed, failed } = recorder.counts;
    const comparisons = comparePercentiles(c.timing, recorder.histogram.summarizeMs());
    const countsMatch = oracleCount === sent;
    return {
      case: c,
      comparisons,
      sent,
      completed,
      failed,
      inFlight: sent - completed - failed,
      oracleCount,
      countsMatch,
      ...(lateSends !== undefined ? { lateSends } : {}),
      generatorStallMs,
      attempts: 1,
      passed: countsMatch && failed === 0 && comparisons.every((x) => x.passed),
    };
  } finally {
    await oracle.close();
  }
}

async function drive(
  c: SelftestCase,
  target: string,
  durationSec: number,
  pool?: Pool,
): Promise<{ recorder: Recorder; lateSends?: number }> {
  const scenario = createAdHocScenario({ path: '/' });
  if (c.model === 'open') {
    const r = await runOpen({ target, scenario, targetRps: c.targetRps!, durationSec, pool });
    return { recorder: r.recorder, lateSends: r.lateSends };
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
