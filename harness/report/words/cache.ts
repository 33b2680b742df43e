// The cache bench in words: the cold and warm columns, the speed-ups, the checks and how the runs were made.
import type { ExtraKpi } from '../kpi-table.ts';
import type { CacheColdStartFigures, CacheFigures, CacheRunFigures } from '../figures.ts';
import { wordCheck, type AnalysisWords } from './worded.ts';

export function wordCache(f: CacheFigures): AnalysisWords {
  const speedUpTarget = { op: '>' as const, value: f.speedUpTarget, unit: '×' };
  const warmExtras: ExtraKpi[] = [
    ...runRows(f.warm),
    { metric: 'p50 speed-up (cold ÷ warm)', target: speedUpTarget, value: f.p50SpeedUp, unit: '×' },
    { metric: 'Throughput speed-up (warm ÷ cold)', target: speedUpTarget, value: f.rpsSpeedUp, unit: '×' },
  ];
  const oneWorker = f.workersGiven ? '' : ' (one worker: each worker warms its own LRU)';
  const start = f.coldStart;
  return {
    columns: [
      { key: 'cold', title: 'Cold', extras: [...runRows(f.cold), coldStartRow(start)] },
      { key: 'warm', title: 'Warm', extras: warmExtras },
    ],
    checks: [
      wordCheck(f.verdict, f.cold.hitRatePct === null ? null : `> ${f.cold.hitRatePct}`, cacheDetail(f)),
      wordCheck(
        start.verdict,
        start.boundPct === null ? null : `≤ ${start.boundPct}`,
        coldStartDetail(start, f.idRange),
      ),
    ],
    notes: [
      'Cache: a warm-up, then POST /admin/cache/flush, then two closed runs of GET /api/users/:id over ids ' +
        `1..${f.idRange} with the same seeds (so the warm run asks for the ids the cold run cached); p50 is the ` +
        `closed runs' latency at full load. When loadlab starts the SUT, a miss pays LATENCY=${f.missLatency} ` +
        '(a simulated upstream; --sut-env LATENCY=none to drop it). The cold run warms the cache as it goes: its hit ' +
        'rate says how cold it really was.',
      `Cold start: the flush answers once every worker of the node has emptied its cache, and the cold run's first ` +
        `${f.coldStart.windowSec} s (hits and misses from /metrics) may hit no more than an empty cache does from ` +
        "that second's own repeated ids (expected + 3 standard deviations + 1 read); more means some worker " +
        'started warm. Behind a load balancer the flush and each /metrics scrape reach one node: point --target at a node.',
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

function coldStartRow(start: CacheColdStartFigures): ExtraKpi {
  return {
    metric: `Cache hit rate, first ${start.windowSec} s`,
    target: start.boundPct === null ? 'n/a' : `≤ ${start.boundPct}%`,
    value: start.hitRatePct,
    unit: '%',
    status: start.verdict.passed ? 'pass' : 'fail',
  };
}

function coldStartDetail(start: CacheColdStartFigures, idRange: number): string {
  const window = `first ${start.windowSec} s of the cold run`;
  const hits =
    start.hitRatePct === null
      ? `${window}: no cache reads counted (or /metrics did not answer)`
      : `${window}: ${start.hitRatePct}% hits of ${start.reads} reads (an empty cache shows ≤ ${start.boundPct}% ` +
        `from that many reads of ids 1..${idRange})`;
  const flushed = start.workersFlushed === null ? 'the SUT did not say how many' : String(start.workersFlushed);
  const of = start.workersStarted === null ? '' : ` of ${start.workersStarted}`;
  const late = start.flushComplete === false ? ', not every worker confirmed in time' : '';
  return `${hits}; the flush emptied ${flushed}${of} worker(s)${late}`;
}

function cacheDetail(f: CacheFigures): string {
  const { cold, warm } = f;
  return (
    `hit rate cold ${cold.hitRatePct ?? 'n/a'}% → warm ${warm.hitRatePct ?? 'n/a'}%; ` +
    `p50 ${cold.p50Ms} → ${warm.p50Ms} ms (${f.p50SpeedUp ?? 'n/a'}×); ` +
    `throughput ${Math.round(cold.throughputRps)} → ${Math.round(warm.throughputRps)} req/s (${f.rpsSpeedUp ?? 'n/a'}×)`
  );
}
