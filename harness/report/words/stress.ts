// The stress bench in words: the sustainable and breakdown rates, the check, one note per probe, the method.
import type { Slo, StressFigures } from '../figures.ts';
import { describeOverload } from './overload.ts';
import { loadOf, wordCheck, type AnalysisWords } from './worded.ts';

/** What the target did at the breakdown rate, as the end of a sentence. */
const BEYOND: Record<NonNullable<StressFigures['beyondCapacity']>, string> = {
  shed: 'shed: it refused the excess with 503 at once',
  limited: 'limited: it refused clients over their rate with 429',
  queued: 'queued: requests waited and latency grew, with no errors',
  failed: 'failed: requests timed out, were reset or refused, or got a 5xx other than 503',
  none: 'showed none of these: no refusals or failures in 1% of its requests, no growing latency',
};

export function wordStress(f: StressFigures): AnalysisWords {
  const sloText = describeSlo(f.slo);
  const found = f.verdict.passed;
  const notes = [
    `Stress SLO: ${sloText}. Search: double from ${f.search.startRps} req/s until a probe fails, then bisect until ` +
      `the bracket is within ${f.search.precision * 100}%.`,
    ...f.probes.map(
      (p, i) =>
        `probe ${i + 1}: ${p.rateRps} req/s (achieved ${Math.round(p.achievedRps)}) → error rate ${p.errorRatePct}%, ` +
        `p99 ${p.p99Ms} ms: ${p.passed ? '✅ meets' : '❌ misses'} the SLO` +
        (p.generatorSaturated ? ' (generator saturated)' : '') +
        (p.overload ? `; ${describeOverload(p.overload)}` : ''),
    ),
    f.beyondCapacity === null
      ? 'Beyond capacity: not reached (no probe missed the SLO).'
      : `Beyond capacity (at the breakdown rate, ${f.breakdownRps} req/s) the target ${BEYOND[f.beyondCapacity]}.`,
  ];
  const breakdown = f.breakdownRps;
  const extras: AnalysisWords['columns'][number]['extras'] = [
    {
      metric: 'Max sustainable rate',
      target: sloText,
      value: found ? f.maxSustainableRps : null,
      unit: 'req/s',
      status: found ? 'pass' : 'fail',
    },
    {
      metric: 'Breakdown rate',
      target: 'lowest rate that misses the SLO',
      value: breakdown,
      unit: 'req/s',
      status: breakdown === null ? 'warn' : 'pass',
    },
    {
      metric: 'Probes',
      target: `bracket within ${f.search.precision * 100}%`,
      value: f.probes.length,
      unit: '',
      status: 'pass',
    },
  ];
  const detail = found
    ? `highest rate meeting the SLO: ${f.maxSustainableRps} req/s; ` +
      `${breakdown === null ? `no breakdown up to ${f.search.maxRps} req/s` : `breakdown at ${breakdown} req/s`} ` +
      `(${f.probes.length} probes)`
    : `no probed rate down to ${f.search.minRps} req/s met the SLO`;
  const start = f.capacitySec === null ? '' : `, starting at half the ${f.capacitySec}s closed phase's throughput`;
  return {
    columns: [{ key: 'stress', title: 'Stress', extras }],
    checks: [wordCheck(f.verdict, sloText, detail)],
    notes,
    methodRun:
      `stress: ${f.deployment}${loadOf(f.path)}; ${f.probeSec}s open-model probes` +
      `${start}; ${f.cooldownSec}s pause before each probe`,
  };
}

/** e.g. "error rate ≤ 1%, p99 ≤ 500 ms". */
export function describeSlo(slo: Slo): string {
  return `error rate ≤ ${slo.errorRatePct}%, p99 ≤ ${slo.p99Ms} ms`;
}
