// The cache bench in words: the cold and warm columns, the speed-ups, the check and how the runs were made.
import type { ExtraKpi } from '../kpi-table.ts';
import type { CacheFigures, CacheRunFigures } from '../figures.ts';
import { wordCheck, type AnalysisWords } from './worded.ts';

export function wordCache(f: CacheFigures): AnalysisWords {
  const speedUpTarget = { op: '>' as const, value: f.speedUpTarget, unit: '×' };
  const warmExtras: ExtraKpi[] = [
    ...runRows(f.warm),
    { metric: 'p50 speed-up (cold ÷ warm)', target: speedUpTarget, value: f.p50SpeedUp, unit: '×' },
    { metric: 'Throughput speed-up (warm ÷ cold)', target: speedUpTarget, value: f.rpsSpeedUp, unit: '×' },
  ];
  const oneWorker = f.workersGiven ? '' : ' (one worker: each worker has its own cache)';
  return {
    columns: [
      { key: 'cold', title: 'Cold', extras: runRows(f.cold) },
      { key: 'warm', title: 'Warm', extras: warmExtras },
    ],
    checks: [wordCheck(f.verdict, f.cold.hitRatePct === null ? null : `> ${f.cold.hitRatePct}`, cacheDetail(f))],
    notes: [
      'Cache: a warm-up, then POST /admin/cache/flush, then two closed runs of GET /api/users/:id over ids ' +
        `1..${f.idRange} with the same seeds (so the warm run asks for the ids the cold run cached); p50 is the ` +
        `closed runs' latency at full load. When loadlab starts the SUT, a miss pays LATENCY=${f.missLatency} ` +
        '(a simulated upstream; --sut-env LATENCY=none to drop it). The cold run warms the cache as it goes: its hit ' +
        'rate says how cold it really was.',
    ],
    methodRun:
      `cache: ${f.deployment}${oneWorker}; ${f.runSec}s cold + ${f.runSec}s warm closed runs, ` +
      `${f.connections} connections`,
  };
}

function runRows(run: CacheRunFigures): ExtraKpi[] {
  const hitStatus = run.hitRatePct === null ? 'warn' : 'pass';
  return [
    { metric: 'p50 latency (closed)', target: 'info', value: run.p50Ms, unit: 'ms', status: 'pass' },
    { metric: 'Throughput', target: 'info', value: run.throughputRps, unit: 'req/s', status: 'pass' },
    { metric: 'Cache hit rate (from /metrics)', target: 'info', value: run.hitRatePct, unit: '%', status: hitStatus },
  ];
}

function cacheDetail(f: CacheFigures): string {
  const { cold, warm } = f;
  return (
    `hit rate cold ${cold.hitRatePct ?? 'n/a'}% → warm ${warm.hitRatePct ?? 'n/a'}%; ` +
    `p50 ${cold.p50Ms} → ${warm.p50Ms} ms (${f.p50SpeedUp ?? 'n/a'}×); ` +
    `throughput ${Math.round(cold.throughputRps)} → ${Math.round(warm.throughputRps)} req/s (${f.rpsSpeedUp ?? 'n/a'}×)`
  );
}
