// Level 4: M nodes (each a cluster with its own NODE_ID) behind nginx or HAProxy — distribution across nodes and efficiency vs M × Level 2.
import { availableParallelism } from 'node:os';
import { checkTallies, NODE_HEADER } from '../stats/distribution.ts';
import type { ClusterFigures, TalliedPhase } from '../report/figures.ts';
import type { HeaderTally, RequestCounts } from '../report/model.ts';
import type { LevelDefinition } from './run-level.ts';

export const EFFICIENCY_TARGET_PCT = 70;
/** The split is uneven when the χ² test gives p < alpha or a share is off by more than ±tolerance of an equal one. */
export const DISTRIBUTION_RULE = { alpha: 0.01, tolerance: 0.1 } as const;

/** What the distribution check reads of a measured phase (a PhaseReport is one). */
export interface TallySource {
  name: string;
  requests: Pick<RequestCounts, 'completed' | 'failed'>;
  tally?: HeaderTally;
}

export const LEVEL4: LevelDefinition = {
  key: 'level4',
  deploy: (s) => ({
    workers: workersPerNode(s.workersGiven ? s.workers : undefined, s.nodes),
    nodes: s.nodes,
    needRedis: false,
    env: { CACHE: 'on', KEEP_ALIVE_TIMEOUT_MS: '65000' },
  }),
  // Every phase counts the x-node-id of every response it gets: the check needs no requests of its own.
  prepare: () => ({ tallyHeader: NODE_HEADER }),
  judge: (measured, dep, s, ctx) => {
    const level2Rps = ctx.previous.get('level2')?.measured.closed.throughputRps;
    const expectedNodes = s.target ? undefined : dep.suts.map((sut) => sut.nodeId);
    return judgeCluster([measured.closed, measured.open], measured.closed.throughputRps, level2Rps, expectedNodes);
  },
};

/** Default: the machine's cores split over the nodes, at least one worker each. */
export function workersPerNode(given: number | undefined, nodes: number, cores = availableParallelism()): number {
  return given ?? Math.max(1, Math.floor(cores / nodes));
}

/**
 * The distribution check and the efficiency against M × Level 2 (pure). The distribution is counted from the
 * benchmark's own responses: the x-node-id tallies of the measured phases (the closed throughput phase and the open
 * latency phase, not the warm-up) are summed into one χ² test, since both went through the same balancer; responses
 * without the header, and a phase the engine kept no tally of, fail it.
 */
export function judgeCluster(
  measured: TallySource[],
  throughputRps: number,
  level2Rps: number | undefined,
  expectedNodes: string[] | undefined,
): ClusterFigures {
  const tallies = measured.flatMap((p) => (p.tally ? [p.tally] : []));
  const dist = checkTallies(tallies, { ...(expectedNodes ? { expectedNodes } : {}), ...DISTRIBUTION_RULE });
  const phases: TalliedPhase[] = measured.map((p) => ({
    name: p.name,
    responses: p.requests.completed + p.requests.failed,
    counted: p.tally ? sum(Object.values(p.tally.counts)) : null,
    missing: p.tally?.missing ?? 0,
  }));
  const nodes = Object.keys(dist.shares).length;
  const equal = nodes ? 1 / nodes : 0;
  const deviationsPct = Object.values(dist.shares).map((share) => (Math.abs(share - equal) / equal) * 100);
  const efficiencyPct = level2Rps === undefined ? null : (throughputRps / (nodes * level2Rps)) * 100;
  const allTallied = phases.every((p) => p.counted !== null);
  return {
    kind: 'cluster',
    phases,
    distribution: {
      perNode: Object.keys(dist.counts)
        .sort()
        .map((node) => ({ node, count: dist.counts[node]! })),
      total: dist.total,
      chiSquare: dist.chiSquare,
      pValue: dist.pValue,
      alpha: dist.alpha,
      tolerance: dist.tolerance,
      outside: dist.outside,
      even: dist.pValue >= dist.alpha,
      header: dist.header,
      missing: dist.missing,
    },
    maxDeviationPct: nodes ? round(Math.max(...deviationsPct), 1) : null,
    nodes,
    level2Rps: level2Rps ?? null,
    efficiencyPct: efficiencyPct === null ? null : round(efficiencyPct, 1),
    efficiencyTargetPct: EFFICIENCY_TARGET_PCT,
    verdict: {
      name: 'level4 distribution',
      passed: dist.passed && allTallied,
      value: round(dist.pValue, 6),
      target: dist.alpha,
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
