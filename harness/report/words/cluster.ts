// Level 4 in words: the distribution and efficiency rows, the distribution check, and how the sample was taken.
import type { ClusterFigures, DistributionFigures } from '../figures.ts';
import { wordCheck, type Worded } from './worded.ts';

const EFFICIENCY_ROW = 'Efficiency vs M × Level 2';

export function wordCluster(f: ClusterFigures): Worded {
  const d = f.distribution;
  const detail = distributionDetail(d);
  const efficiencyTarget = { op: '>=' as const, value: f.efficiencyTargetPct, unit: '%' };
  const extras: Worded['extras'] = [
    {
      metric: 'Distribution: χ² p-value',
      target: `≥ ${d.alpha}`,
      value: round(d.pValue, 4),
      unit: '',
      status: d.even ? 'pass' : 'fail',
    },
    {
      metric: 'Distribution: largest share deviation',
      target: `≤ ${pct(d.tolerance)} of an equal share`,
      value: f.maxDeviationPct,
      unit: '%',
      status: f.verdict.passed ? 'pass' : 'fail',
    },
    f.efficiencyPct === null
      ? { metric: EFFICIENCY_ROW, target: efficiencyTarget, value: null, unit: '%', status: 'warn' }
      : { metric: EFFICIENCY_ROW, target: efficiencyTarget, value: f.efficiencyPct, unit: '%' },
  ];
  return {
    extras,
    checks: [wordCheck(f.verdict, distributionTarget(d), detail)],
    notes: [sampleNote(f, detail), efficiencyNote(f)],
  };
}

function sampleNote(f: ClusterFigures, detail: string): string {
  const lost = f.sampleFailed || f.sampleMissingHeader;
  return (
    `Level 4: distribution from the x-node-id of ${f.sampleSize} GET /health requests ` +
    `(${f.sampleConnections} connections) sent through the balancer during the open phase` +
    `${lost ? `; ${f.sampleFailed} failed, ${f.sampleMissingHeader} without x-node-id` : ''}: ${detail}.`
  );
}

function efficiencyNote(f: ClusterFigures): string {
  if (f.level2Rps === null) return 'Level 4: no Level 2 run in this invocation, so no efficiency.';
  return (
    `Level 4 efficiency = Level 4 throughput ÷ (${f.nodes} nodes × Level 2 throughput ${Math.round(f.level2Rps)} ` +
    "req/s); the nodes share this machine's cores with the balancer, PostgreSQL and the generator."
  );
}

/** e.g. "p ≥ 0.01; each node 50% ± 10% (relative)". */
export function distributionTarget(d: DistributionFigures): string {
  return `p ≥ ${d.alpha}; each node ${pct(1 / Math.max(d.perNode.length, 1))} ± ${pct(d.tolerance)} (relative)`;
}

/** e.g. "node-1 500 (50%), node-2 500 (50%) of 1000; χ² 0.00 (df 1), p 1.000". */
export function distributionDetail(d: DistributionFigures): string {
  if (d.total === 0) return 'no responses carried x-node-id';
  if (d.perNode.length < 2) return `only one node answered (${d.perNode[0]?.node})`;
  const equal = 1 / d.perNode.length;
  const perNode = d.perNode.map(({ node, count }) => `${node} ${count} (${pct(count / d.total)})`).join(', ');
  const verdict = [
    d.even ? `p ${formatP(d.pValue)}` : `p ${formatP(d.pValue)} < ${d.alpha}: the split is not even`,
    ...(d.outside.length ? [`outside ${pct(equal)} ± ${pct(d.tolerance)}: ${d.outside.join(', ')}`] : []),
  ].join('; ');
  return `${perNode} of ${d.total}; χ² ${d.chiSquare.toFixed(2)} (df ${d.perNode.length - 1}), ${verdict}`;
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(1)}%`;
}

function formatP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
