// Level 4: M nodes (each a cluster with its own NODE_ID) behind nginx or HAProxy — distribution across nodes and efficiency vs M × Level 2.
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import { checkDistribution } from '../stats/distribution.ts';
import type { ClusterFigures } from '../report/figures.ts';
import type { LevelDefinition } from './run-level.ts';

/** Responses sampled for the distribution check, sent alongside the open phase (the engines do not expose response headers). */
export const DISTRIBUTION_SAMPLE = 1000;
const SAMPLE_CONNECTIONS = 4;
export const EFFICIENCY_TARGET_PCT = 70;
/** The split is uneven when the χ² test gives p < alpha or a share is off by more than ±tolerance of an equal one. */
export const DISTRIBUTION_RULE = { alpha: 0.01, tolerance: 0.1 } as const;

export interface NodeSample {
  counts: Record<string, number>;
  missingHeader: number;
  failed: number;
}

export const LEVEL4: LevelDefinition = {
  key: 'level4',
  deploy: (s) => ({
    workers: workersPerNode(s.workersGiven ? s.workers : undefined, s.nodes),
    nodes: s.nodes,
    needRedis: false,
    env: { CACHE: 'on', KEEP_ALIVE_TIMEOUT_MS: '65000' },
  }),
  prepare: (dep) => ({ duringOpen: () => sampleNodeIds(dep.url, DISTRIBUTION_SAMPLE, SAMPLE_CONNECTIONS) }),
  judge: (measured, dep, s, ctx) => {
    const level2Rps = ctx.previous.get('level2')?.measured.closed.throughputRps;
    const expectedNodes = s.target ? undefined : dep.suts.map((sut) => sut.nodeId);
    return judgeCluster(measured.during as NodeSample, measured.closed.throughputRps, level2Rps, expectedNodes);
  },
};

/** Default: the machine's cores split over the nodes, at least one worker each. */
export function workersPerNode(given: number | undefined, nodes: number, cores = availableParallelism()): number {
  return given ?? Math.max(1, Math.floor(cores / nodes));
}

/** Sends `count` GET /health through the balancer and counts each response's x-node-id. */
export async function sampleNodeIds(url: string, count: number, connections: number): Promise<NodeSample> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const sample: NodeSample = { counts: {}, missingHeader: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      try {
        const res = await pool.request({ path: '/health', method: 'GET' });
        await res.body.dump();
        const node = res.headers['x-node-id'];
        if (res.statusCode >= 400) sample.failed += 1;
        else if (typeof node === 'string') sample.counts[node] = (sample.counts[node] ?? 0) + 1;
        else sample.missingHeader += 1;
      } catch {
        sample.failed += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    await pool.close();
  }
  return sample;
}

/** The distribution check and the efficiency against M × Level 2 (pure). */
export function judgeCluster(
  sample: NodeSample,
  throughputRps: number,
  level2Rps: number | undefined,
  expectedNodes: string[] | undefined,
): ClusterFigures {
  const dist = checkDistribution(sample.counts, { ...(expectedNodes ? { expectedNodes } : {}), ...DISTRIBUTION_RULE });
  const nodes = Object.keys(dist.shares).length;
  const equal = nodes ? 1 / nodes : 0;
  const deviationsPct = Object.values(dist.shares).map((share) => (Math.abs(share - equal) / equal) * 100);
  const efficiencyPct = level2Rps === undefined ? null : (throughputRps / (nodes * level2Rps)) * 100;
  return {
    kind: 'cluster',
    sampleSize: DISTRIBUTION_SAMPLE,
    sampleConnections: SAMPLE_CONNECTIONS,
    sampleFailed: sample.failed,
    sampleMissingHeader: sample.missingHeader,
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
    },
    maxDeviationPct: nodes ? round(Math.max(...deviationsPct), 1) : null,
    nodes,
    level2Rps: level2Rps ?? null,
    efficiencyPct: efficiencyPct === null ? null : round(efficiencyPct, 1),
    efficiencyTargetPct: EFFICIENCY_TARGET_PCT,
    verdict: { name: 'level4 distribution', passed: dist.passed, value: round(dist.pValue, 6), target: dist.alpha },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
