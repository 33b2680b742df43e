// Level 4 in words: the distribution and efficiency rows, the distribution check, and which responses it counted.
import type { ClusterFigures, DistributionFigures, TalliedPhase } from '../figures.ts';
import { wordCheck, type Worded } from './worded.ts';

const EFFICIENCY_ROW = 'Efficiency vs M × Level 2';

export function wordCluster(f: ClusterFigures): Worded {
  const d = f.distribution;
  const untallied = f.phases.filter((p) => p.counted === null).map((p) => p.name);
  const detail = [
    ...(untallied.length ? [`no ${d.header} tally from ${untallied.join(', ')} (the engine kept none)`] : []),
    distributionDetail(d),
  ].join('; ');
  const efficiencyTarget = { op: '>=' as const, value: f.efficiencyTargetPct, unit: '%' };
  const extras: Worded['extras'] = [
    {
      metric: 'Distribution: χ² p-value',
      target: `≥ ${d.alpha}, from the benchmark's own ${counted(d)} responses`,
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
    notes: [sourceNote(f, detail), efficiencyNote(f)],
  };
}

/** e.g. "Level 4: distribution from the benchmark's own 3000 responses: the x-node-id of each in level4 throughput (2000)
 * and level4 latency (1000), summed into one test: …". */
function sourceNote(f: ClusterFigures, detail: string): string {
  const d = f.distribution;
  const phases = f.phases.map(phaseCount).join(' and ');
  return (
    `Level 4: distribution from the benchmark's own ${counted(d)} responses: the ${d.header} of each in ${phases}, ` +
    `summed into one test: ${detail}.`
  );
}

function phaseCount(p: TalliedPhase): string {
  if (p.counted === null) return `${p.name} (not tallied, ${p.responses} answered)`;
  const tallied = p.counted + p.missing;
  return `${p.name} (${tallied}${tallied === p.responses ? '' : ` of ${p.responses} answered`})`;
}

/** Responses the check counted: those that named a node and those that did not. */
function counted(d: DistributionFigures): number {
  return d.total + d.missing;
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
  const unplaced = d.missing > 0 ? [`${d.missing} response${d.missing === 1 ? '' : 's'} carried no ${d.header}`] : [];
  if (d.total === 0) return unplaced[0] ?? `no responses carried ${d.header}`;
  if (d.perNode.length < 2) return [`only one node answered (${d.perNode[0]?.node})`, ...unplaced].join('; ');
  const equal = 1 / d.perNode.length;
  const perNode = d.perNode.map(({ node, count }) => `${node} ${count} (${pct(count / d.total)})`).join(', ');
  const verdict = [
    d.even ? `p ${formatP(d.pValue)}` : `p ${formatP(d.pValue)} < ${d.alpha}: the split is not even`,
    ...(d.outside.length ? [`outside ${pct(equal)} ± ${pct(d.tolerance)}: ${d.outside.join(', ')}`] : []),
    ...unplaced,
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
