// The knee bench in words: the knee rows, the check, the rule and one note per step, the method.
import type { KneeFigures, KneeOptions } from '../figures.ts';
import { loadOf, wordCheck, type AnalysisWords } from './worded.ts';

export function wordKnee(f: KneeFigures): AnalysisWords {
  const { knee, steps } = f;
  const notes = [
    `Knee rule: ${kneeRule(f.rule)}.`,
    ...steps.map((s) => {
      const gain = s.gainPct === null ? '' : ` (${s.gainPct >= 0 ? '+' : ''}${s.gainPct}%)`;
      const latency = `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`;
      return `${s.connections} connection(s): ${Math.round(s.throughputRps)} req/s${gain}, ${latency}`;
    }),
  ];
  if (!f.stoppedRising) {
    notes.push(
      `Throughput was still rising at ${steps[steps.length - 1]?.connections} connections: ` +
        'the knee lies beyond the sweep.',
    );
  }
  const detail = knee
    ? `knee at ${knee.connections} connection(s): ${Math.round(knee.throughputRps)} req/s, p99 ${knee.p99Ms} ms` +
      `${f.stoppedRising ? '' : ' (still rising at the end of the sweep)'}`
    : 'no step ran';
  return {
    columns: [
      {
        key: 'knee',
        title: 'Knee',
        extras: [
          {
            metric: 'Knee (connections)',
            target: `gain < ${f.rule.minGainPct}% per doubling`,
            value: knee?.connections ?? null,
            unit: '',
            status: f.stoppedRising ? 'pass' : 'warn',
          },
          {
            metric: 'Throughput at the knee',
            target: 'info',
            value: knee?.throughputRps ?? null,
            unit: 'req/s',
            status: 'pass',
          },
          { metric: 'p99 at the knee', target: 'info', value: knee?.p99Ms ?? null, unit: 'ms', status: 'pass' },
        ],
      },
    ],
    checks: [wordCheck(f.verdict, `gain < ${f.rule.minGainPct}%`, detail)],
    notes,
    methodRun: `knee: ${f.deployment}${loadOf(f.path)}; ${f.stepSec}s closed phase per step`,
  };
}

export function kneeRule(o: KneeOptions): string {
  return (
    `the knee is the last concurrency whose doubling still raised throughput by ≥ ${o.minGainPct}%; the sweep ` +
    `doubles from 1 connection and stops at the first doubling that gains less (or at ${o.maxConnections})`
  );
}
