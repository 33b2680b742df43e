// Simulated upstream latency: a parsed distribution and a seeded sampler, so runs are repeatable.
import { createRandom } from '../../lib/random.ts';

export type LatencySpec =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; p50Ms: number; p99Ms: number };

const ACCEPTS = 'expected none, fixed:<ms>, uniform:<min>-<max> or lognormal:p50=<ms>,p99=<ms>';
const NUM = '(\\d+(?:\\.\\d+)?)';

/** Parses `LATENCY`; returns a message (what it accepts) instead of throwing. */
export function parseLatencySpec(text: string): LatencySpec | string {
  const s = text.trim().toLowerCase();
  if (s === 'none' || s === 'off') return { kind: 'none' };
  let m = new RegExp(`^fixed:${NUM}$`).exec(s);
  if (m) return { kind: 'fixed', ms: Number(m[1]) };
  m = new RegExp(`^uniform:${NUM}-${NUM}$`).exec(s);
  if (m) {
    const [minMs, maxMs] = [Number(m[1]), Number(m[2])];
    return minMs <= maxMs ? { kind: 'uniform', minMs, maxMs } : `${ACCEPTS} (min must not exceed max)`;
  }
  m = new RegExp(`^lognormal:p50=${NUM},p99=${NUM}$`).exec(s);
  if (m) {
    const [p50Ms, p99Ms] = [Number(m[1]), Number(m[2])];
    return p50Ms > 0 && p99Ms >= p50Ms ? { kind: 'lognormal', p50Ms, p99Ms } : `${ACCEPTS} (need 0 < p50 <= p99)`;
  }
  return ACCEPTS;
}

export function formatLatencySpec(spec: LatencySpec): string {
  switch (spec.kind) {
    case 'none':
      return 'none';
    case 'fixed':
      return `fixed:${spec.ms}`;
    case 'uniform':
      return `uniform:${spec.minMs}-${spec.maxMs}`;
    case 'lognormal':
      return `lognormal:p50=${spec.p50Ms},p99=${spec.p99Ms}`;
  }
}

const Z99 = 2.3263478740408408; // standard normal quantile at 0.99

/** Returns a function drawing the next latency in ms from the spec's distribution. */
export function createLatencySampler(spec: LatencySpec, seed: number): () => number {
  const random = createRandom(seed);
  switch (spec.kind) {
    case 'none':
      return () => 0;
    case 'fixed':
      return () => spec.ms;
    case 'uniform':
      return () => spec.minMs + random() * (spec.maxMs - spec.minMs);
    case 'lognormal': {
      const mu = Math.log(spec.p50Ms);
      const sigma = (Math.log(spec.p99Ms) - mu) / Z99;
      return () => Math.exp(mu + sigma * standardNormal(random));
    }
  }
}

/** Box–Muller; 1 - u keeps the log argument in (0, 1]. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
