// Level 4: M nodes (each a cluster with its own NODE_ID) behind nginx or HAProxy — distribution across nodes and efficiency vs M × Level 2.
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import { checkDistribution } from '../stats/distribution.ts';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { LevelRun } from './level.ts';
import type { Judgment, LevelDefinition } from './run-level.ts';

/** Responses sampled for the distribution check, sent alongside the open phase (the engines do not expose response headers). */
export const DISTRIBUTION_SAMPLE = 1000;
const SAMPLE_CONNECTIONS = 4;
export const EFFICIENCY_TARGET_PCT = 70;

export interface NodeSample {
  counts: Record<string, number>;
  missingHeader: number;
  failed: number;
}

export const LEVEL4: LevelDefinition = {
  key: 'level4',
  title: 'Level 4',
  deploy: (s) => ({ workers: workersPerNode(s.workersGiven ? s.workers : undefined, s.nodes), nodes: s.nodes, needRedis: false, env: { CACHE: 'on', KEEP_ALIVE_TIMEOUT_MS: '65000' } }),
  prepare: (dep) => ({ duringOpen: () => sampleNodeIds(dep.url, DISTRIBUTION_SAMPLE, SAMPLE_CONNECTIONS) }),
  judge: (measured, dep, s, ctx) =>
    judgeCluster(measured.during as NodeSample, measured.closed.throughputRps, ctx.previous.get('level2'), s.target ? undefined : dep.suts.map((sut) => sut.nodeId)),
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

/** The distribution check and the efficiency row (pure). */
export function judgeCluster(sample: NodeSample, throughputRps: number, level2: LevelRun | undefined, expectedNodes: string[] | undefined): Judgment {
  const dist = checkDistribution(sample.counts, expectedNodes ? { expectedNodes } : {});
  const nodes = Object.keys(dist.shares).length;
  const equal = nodes ? 1 / nodes : 0;
  const maxDeviationPct = nodes ? Math.max(...Object.values(dist.shares).map((share) => (Math.abs(share - equal) / equal) * 100)) : null;
  const sampleNote = `Level 4: distribution from the x-node-id of ${DISTRIBUTION_SAMPLE} GET /health requests (${SAMPLE_CONNECTIONS} connections) sent through the balancer during the open phase${sample.failed || sample.missingHeader ? `; ${sample.failed} failed, ${sample.missingHeader} without x-node-id` : ''}: ${dist.detail}.`;
  const extras: ExtraKpi[] = [
    { metric: 'Distribution: χ² p-value', target: '≥ 0.01', value: round(dist.pValue, 4), unit: '', status: dist.pValue >= 0.01 ? 'pass' : 'fail' },
    { metric: 'Distribution: largest share deviation', target: '≤ 10% of an equal share', value: maxDeviationPct === null ? null : round(maxDeviationPct, 1), unit: '%', status: dist.passed ? 'pass' : 'fail' },
  ];
  const notes = [sampleNote];
  if (level2) {
    const efficiencyPct = (throughputRps / (nodes * level2.measured.closed.throughputRps)) * 100;
    extras.push({ metric: 'Efficiency vs M × Level 2', target: { op: '>=', value: EFFICIENCY_TARGET_PCT, unit: '%' }, value: round(efficiencyPct, 1), unit: '%' });
    notes.push(`Level 4 efficiency = Level 4 throughput ÷ (${nodes} nodes × Level 2 throughput ${Math.round(level2.measured.closed.throughputRps)} req/s); the nodes share this machine's cores with the balancer, PostgreSQL and the generator.`);
  } else {
    extras.push({ metric: 'Efficiency vs M × Level 2', target: { op: '>=', value: EFFICIENCY_TARGET_PCT, unit: '%' }, value: null, unit: '%', status: 'warn' });
    notes.push('Level 4: no Level 2 run in this invocation, so no efficiency.');
  }
  return { checks: [{ name: 'level4 distribution', passed: dist.passed, value: round(dist.pValue, 6), target: dist.target, detail: dist.detail }], extras, notes };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
