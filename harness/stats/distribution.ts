// The Level 4 distribution check (pure): did the load balancer spread requests evenly over the
// nodes? A chi-square goodness-of-fit test against equal shares, plus a per-node share bound;
// responses that name no node fail it.
import type { HeaderTally } from '../report/model.ts';
import { chiSquarePValue } from './chi-square.ts';

/** The response header a node names itself in (the SUT's NODE_ID). */
export const NODE_HEADER = 'x-node-id';

export interface DistributionOptions {
  /** Significance level: the test fails when p < alpha (default 0.01). */
  alpha?: number;
  /** Allowed deviation of each node's share, relative to an equal share (default 0.10: ±10%). */
  tolerance?: number;
  /** Nodes that should have answered; one missing from the counts counts as 0 (default: the keys). */
  expectedNodes?: string[];
  /** Responses that carried no node header: any fails the check, since they cannot be placed (default 0). */
  missing?: number;
  /** The header counted, for the detail (default x-node-id). */
  header?: string;
}

export interface DistributionCheck {
  name: 'distribution';
  passed: boolean;
  /** The p-value of the chi-square test. */
  value: number;
  target: string;
  detail: string;
  chiSquare: number;
  pValue: number;
  /** Each node's fraction of all responses (0–1). */
  shares: Record<string, number>;
  /** The figures behind the verdict, for a report that words it itself: responses per node (expected nodes
   * included), their total, the options applied and the nodes outside the tolerance. */
  counts: Record<string, number>;
  total: number;
  alpha: number;
  tolerance: number;
  outside: string[];
  /** Responses without the header (not in counts or total). */
  missing: number;
  header: string;
}

// Shares are compared after rounding away binary noise (0.55 must be "within 10% of 0.5").
const EPSILON = 1e-9;

/**
 * Chi-square test (df = nodes − 1) against equal shares; passes when p ≥ alpha AND every node's
 * share is within ±tolerance of 1/nodes (relative: 10% of a 50% share is 45–55%) AND no response
 * lacked the header (`missing`: those are reported, not tested, and fail the check).
 * @example checkDistribution({ n1: 200, n2: 200 }).passed === true
 */
export function checkDistribution(
  countsByNode: Record<string, number>,
  opts: DistributionOptions = {},
): DistributionCheck {
  const alpha = opts.alpha ?? 0.01;
  const tolerance = opts.tolerance ?? 0.1;
  const missing = opts.missing ?? 0;
  const header = opts.header ?? NODE_HEADER;
  const unplaced = missing > 0 ? `${missing} response${missing === 1 ? '' : 's'} carried no ${header}` : undefined;
  const counts: Record<string, number> = {};
  for (const node of opts.expectedNodes ?? []) counts[node] = 0;
  for (const [node, n] of Object.entries(countsByNode)) counts[node] = (counts[node] ?? 0) + n;
  const nodes = Object.keys(counts).sort();
  const total = nodes.reduce((sum, node) => sum + counts[node]!, 0);
  const target = `p ≥ ${alpha}; each node ${pct(1 / Math.max(nodes.length, 1))} ± ${pct(tolerance)} (relative)`;
  if (nodes.length < 2 || total === 0) {
    const why =
      total === 0
        ? (unplaced ?? `no responses carried ${header}`)
        : joined(`only one node answered (${nodes[0]})`, unplaced);
    const figures = { counts, total, alpha, tolerance, outside: [], missing, header, shares: sharesOf(counts, total) };
    return { name: 'distribution', passed: false, value: 0, target, detail: why, chiSquare: 0, pValue: 0, ...figures };
  }
  const expected = total / nodes.length;
  const chiSquare = nodes.reduce((sum, node) => sum + (counts[node]! - expected) ** 2 / expected, 0);
  const pValue = chiSquarePValue(chiSquare, nodes.length - 1);
  const shares = sharesOf(counts, total);
  const equal = 1 / nodes.length;
  const outside = nodes.filter((node) => Math.abs(shares[node]! - equal) > tolerance * equal + EPSILON);
  const passed = pValue >= alpha && outside.length === 0 && missing === 0;
  const perNode = nodes.map((node) => `${node} ${counts[node]} (${pct(shares[node]!)})`).join(', ');
  const verdict = [
    pValue < alpha ? `p ${fmt(pValue)} < ${alpha}: the split is not even` : `p ${fmt(pValue)}`,
    ...(outside.length ? [`outside ${pct(equal)} ± ${pct(tolerance)}: ${outside.join(', ')}`] : []),
    ...(unplaced ? [unplaced] : []),
  ].join('; ');
  return {
    name: 'distribution',
    passed,
    value: pValue,
    target,
    detail: `${perNode} of ${total}; χ² ${chiSquare.toFixed(2)} (df ${nodes.length - 1}), ${verdict}`,
    chiSquare,
    pValue,
    shares,
    counts,
    total,
    alpha,
    tolerance,
    outside,
    missing,
    header,
  };
}

/**
 * The check over several phases' tallies of one header, summed into one test: counts per node added up,
 * responses without the header added up (and failing it).
 * @example checkTallies([closed.tally!, open.tally!], { expectedNodes: ['node-1', 'node-2'] })
 */
export function checkTallies(
  tallies: HeaderTally[],
  opts: Omit<DistributionOptions, 'missing' | 'header'> = {},
): DistributionCheck {
  const headers = [...new Set(tallies.map((t) => t.header))];
  if (headers.length > 1) throw new RangeError(`tallies of different headers cannot be summed: ${headers.join(', ')}`);
  const counts: Record<string, number> = {};
  for (const t of tallies) for (const [node, n] of Object.entries(t.counts)) counts[node] = (counts[node] ?? 0) + n;
  const missing = tallies.reduce((sum, t) => sum + t.missing, 0);
  return checkDistribution(counts, { ...opts, missing, header: headers[0] ?? NODE_HEADER });
}

function sharesOf(counts: Record<string, number>, total: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([node, n]) => [node, total === 0 ? 0 : n / total]));
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(1)}%`;
}

function joined(...parts: (string | undefined)[]): string {
  return parts.filter((part) => part !== undefined).join('; ');
}

function fmt(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}
