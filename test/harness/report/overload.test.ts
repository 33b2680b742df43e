// The overload classifier, exactly: which behaviour a phase's counts and latency trend name, at the rule's edges.
import { describe, expect, it } from 'vitest';
import type { PhaseReport, SeriesRow } from '../../../harness/report/model.ts';
import {
  classifyOverload,
  latencyTrendOf,
  OVERLOAD_RULE,
  overloadOfPhase,
  windowsByPhase,
  withOverload,
  type OverloadEvidence,
} from '../../../harness/report/overload.ts';

const counts = (sent: number, byStatus: Record<string, number>, byError: Record<string, number> = {}) => ({
  sent,
  byStatus,
  byError,
});
const flat = { earlyP50Ms: 2, lateP50Ms: 2.2 };

describe('classifyOverload', () => {
  it.each<[string, OverloadEvidence, string]>([
    ['nothing sent', { requests: counts(0, {}) }, 'none'],
    ['all 200, flat latency', { requests: counts(1000, { '200': 1000 }), trend: flat }, 'none'],
    ['all 200, no trend known', { requests: counts(1000, { '200': 1000 }) }, 'none'],
    ['503 in 1% exactly', { requests: counts(100, { '200': 99, '503': 1 }), trend: flat }, 'shed'],
    ['503 just under 1%', { requests: counts(1000, { '200': 991, '503': 9 }), trend: flat }, 'none'],
    ['429 in 40%', { requests: counts(100, { '200': 60, '429': 40 }) }, 'limited'],
    ['timeouts and resets', { requests: counts(100, { '200': 90 }, { timeout: 6, ECONNRESET: 4 }) }, 'failed'],
    ['refused connections', { requests: counts(100, { '200': 50 }, { ECONNREFUSED: 50 }) }, 'failed'],
    ['500 and 502 answers', { requests: counts(100, { '200': 95, '500': 3, '502': 2 }) }, 'failed'],
    ['404 answers are served, not overload', { requests: counts(100, { '200': 50, '404': 50 }), trend: flat }, 'none'],
    ['shed beats a smaller failure', { requests: counts(100, { '200': 68, '503': 30 }, { timeout: 2 }) }, 'shed'],
    ['limited beats a smaller shed', { requests: counts(100, { '200': 70, '429': 20, '503': 10 }) }, 'limited'],
    ['a tie goes to failed, then shed', { requests: counts(100, { '503': 30, '429': 30 }, { timeout: 30 }) }, 'failed'],
    ['shed and limited tie: shed', { requests: counts(100, { '503': 30, '429': 30 }) }, 'shed'],
    [
      'latency doubled and rose 10 ms, no errors',
      { requests: counts(100, { '200': 100 }), trend: { earlyP50Ms: 10, lateP50Ms: 20 } },
      'queued',
    ],
    [
      'latency grew 10×, a few errors under 1%',
      { requests: counts(1000, { '200': 995, '503': 5 }), trend: { earlyP50Ms: 30, lateP50Ms: 300 } },
      'queued',
    ],
    [
      'latency just under double',
      { requests: counts(100, { '200': 100 }), trend: { earlyP50Ms: 20, lateP50Ms: 39.9 } },
      'none',
    ],
    [
      'latency tripled but rose under 10 ms',
      { requests: counts(100, { '200': 100 }), trend: { earlyP50Ms: 1, lateP50Ms: 3 } },
      'none',
    ],
  ])('%s → %s', (_name, evidence, expected) => {
    expect(classifyOverload(evidence)).toBe(expected);
  });

  it('states its rule', () => {
    expect(OVERLOAD_RULE).toEqual({ minErrorShare: 0.01, queuedGrowth: 2, queuedMinRiseMs: 10 });
  });
});

const windows = (p50s: (number | null)[]) =>
  p50s.map((p50Ms) => ({ responses: p50Ms === null ? 0 : 10, errors: 0, p50Ms: p50Ms ?? 0, p99Ms: p50Ms ?? 0 }));

describe('latencyTrendOf', () => {
  it('is unknown with fewer than 3 seconds that had answers', () => {
    expect(latencyTrendOf(windows([5, null, 9]))).toBeUndefined();
  });

  it('takes the median p50 of the first and of the last third of the answered seconds', () => {
    expect(latencyTrendOf(windows([3, 1, 2, null, 50, 7, 100, 200, 150]))).toEqual({
      earlyP50Ms: 2, // of 3, 1 (the answered seconds: 3 1 2 50 7 100 200 150; thirds of 2)
      lateP50Ms: 175, // of 200, 150
    });
  });
});

function phase(name: string, overload?: PhaseReport['overload']): PhaseReport {
  return {
    name,
    model: 'open',
    durationSec: 3,
    elapsedSec: 3,
    judged: true,
    requests: { sent: 30, completed: 30, failed: 0, inFlight: 0, byStatus: { '200': 30 }, byError: {} },
    throughputRps: 10,
    generatorSaturated: false,
    generator: { cpuPctMean: 1, cpuPctMax: 1, eventLoopP99Ms: 1 },
    latencyMs: { p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, mean: 1 },
    endpoints: [],
    ...(overload ? { overload } : {}),
  };
}

const rows = (name: string, p50s: number[]): SeriesRow[] =>
  windows(p50s).map((window, second) => ({ second, phase: name, window, sample: {} as SeriesRow['sample'] }));

describe('overloadOfPhase', () => {
  it('uses the phase’s own seconds when there are enough of them', () => {
    expect(overloadOfPhase(phase('p'), rows('p', [10, 40, 90]), 1)).toBe('queued');
    expect(overloadOfPhase(phase('p'), rows('p', [10, 10, 10]), 1)).toBe('none');
  });

  it('with too few, holds its p50 against the reference p50 (a lower load’s)', () => {
    const slow = { ...phase('p'), latencyMs: { p50: 60, p90: 80, p95: 90, p99: 99, p999: 99, max: 99, mean: 60 } };
    expect(overloadOfPhase(slow, rows('p', [50, 70]), 20)).toBe('queued');
    expect(overloadOfPhase(slow, rows('p', [50, 70]), 40)).toBe('none');
    expect(overloadOfPhase(slow, rows('p', [50, 70]))).toBe('none'); // no reference: no trend
  });
});

describe('windowsByPhase and withOverload', () => {
  it('gives the k-th phase of a name the k-th run of its rows (trials repeat names)', () => {
    const series = [...rows('trial', [1, 1, 1]), ...rows('other', [5]), ...rows('trial', [10, 40, 90])];
    const found = windowsByPhase([phase('trial'), phase('other'), phase('trial'), phase('never ran')], series);
    expect(found.map((list) => list.map((r) => r.window.p50Ms))).toEqual([[1, 1, 1], [5], [10, 40, 90], []]);
  });

  it('sets each phase’s behaviour from its own seconds, and keeps one already set', () => {
    const series = [...rows('steady', [2, 2, 2]), ...rows('growing', [10, 40, 90])];
    const result = withOverload([phase('steady'), phase('growing'), phase('set before', 'shed')], series);
    expect(result.map((p) => p.overload)).toEqual(['none', 'queued', 'shed']);
  });
});
