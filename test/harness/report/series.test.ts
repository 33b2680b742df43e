import { describe, expect, it } from 'vitest';
import type { SeriesRow } from '../../../harness/report/model.ts';
import { renderSeriesCsv } from '../../../harness/report/series.ts';

const window = { responses: 100, errors: 0, p50Ms: 1, p99Ms: 5 };

describe('renderSeriesCsv: the monitor columns', () => {
  it("adds the machine's CPU, /metrics figures, group sums and one column pair per process, empty where a second lacks them", () => {
    const rows: SeriesRow[] = [
      {
        second: 0,
        phase: 'level2 latency',
        window,
        sample: {
          generatorCpuPct: 30,
          eventLoopP99Ms: 1,
          sutCpuPct: 120,
          sutRssMb: 250,
          machineCpuPct: 71.5,
          dbPoolTotal: 20,
          cacheHitPct: 92.5,
          monitorMs: 0.41,
          groups: { sut: { cpuPct: 120, rssMb: 250 }, postgres: { cpuPct: 35, rssMb: 80 }, generator: { rssMb: 95 } },
          processes: [
            { name: 'sut-primary', group: 'sut', pid: 100, cpuPct: 2, rssMb: 60 },
            { name: 'sut-worker:101', group: 'sut', pid: 101, cpuPct: 118, rssMb: 190 },
            { name: 'postgres', group: 'postgres', pid: 200, cpuPct: 35, rssMb: 80 },
            { name: 'generator-main', group: 'generator', pid: 5, cpuPct: 28, thread: true },
            { name: 'generator-thread:9', group: 'generator', pid: 9, cpuPct: 0, thread: true },
          ],
        },
      },
      {
        second: 1,
        phase: 'level2 latency',
        window,
        sample: {
          generatorCpuPct: 31,
          eventLoopP99Ms: 1,
          sutCpuPct: 110,
          sutRssMb: 240,
          machineCpuPct: 70,
          dbPoolTotal: 20,
          groups: { sut: { cpuPct: 110, rssMb: 240 }, postgres: { cpuPct: 30, rssMb: 80 }, generator: { rssMb: 95 } },
          processes: [
            { name: 'sut-primary', group: 'sut', pid: 100, cpuPct: 3, rssMb: 60 },
            { name: 'sut-worker:102', group: 'sut', pid: 102, cpuPct: 107, rssMb: 180 },
            { name: 'postgres', group: 'postgres', pid: 200, cpuPct: 30, rssMb: 80 },
            { name: 'generator-main', group: 'generator', pid: 5, cpuPct: 29, thread: true },
            { name: 'generator-thread:9', group: 'generator', pid: 9, cpuPct: 0, thread: true },
          ],
        },
      },
    ];
    const [header, ...lines] = renderSeriesCsv(rows).trimEnd().split('\n');
    expect(header!.split(',')).toEqual([
      'second',
      'phase',
      'rps',
      'p50_ms',
      'p99_ms',
      'errors',
      'generator_cpu_pct',
      'event_loop_p99_ms',
      'sut_cpu_pct',
      'sut_rss_mb',
      'ready_status',
      'machine_cpu_pct',
      'sut_db_pool_total',
      'sut_cache_hit_pct',
      'monitor_ms',
      'postgres_cpu_pct',
      'postgres_rss_mb',
      'generator_rss_mb',
      'cpu_pct[sut-primary]',
      'rss_mb[sut-primary]',
      'cpu_pct[sut-worker:101]',
      'rss_mb[sut-worker:101]',
      'cpu_pct[postgres]',
      'rss_mb[postgres]',
      'cpu_pct[generator-main]',
      'cpu_pct[sut-worker:102]',
      'rss_mb[sut-worker:102]',
    ]);
    expect(lines).toEqual([
      '0,level2 latency,100,1,5,0,30,1,120,250,,71.5,20,92.5,0.41,35,80,95,2,60,118,190,35,80,28,,',
      '1,level2 latency,100,1,5,0,31,1,110,240,,70,20,,,30,80,95,3,60,,,30,80,29,107,180',
    ]);
  });
});
