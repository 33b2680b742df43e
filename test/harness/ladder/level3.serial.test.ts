// Level 3 on the real SUT with Redis: enqueue and processing rates, queue depth in series.csv; and the queue arithmetic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { appendQueueColumns, parseQueueDepth, processingRate, type QueueDepth } from '../../../harness/ladder/queue.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO } from '../helpers.ts';
import { readRun, SMOKE } from './level-helpers.ts';

const depth = (atMs: number, waiting: number, active = 0): QueueDepth => ({
  atMs,
  waiting,
  active,
  delayed: 0,
  failed: 0,
});

describe('queue figures', () => {
  it('reads loadlab_queue_jobs by state, and nothing from a SUT without a queue', () => {
    const text =
      'loadlab_queue_jobs{state="waiting"} 12\nloadlab_queue_jobs{state="active"} 8\nloadlab_queue_jobs{state="completed"} 10000\n';
    expect(parseQueueDepth(text, 5)).toEqual({ atMs: 5, waiting: 12, active: 8, delayed: 0, failed: 0 });
    expect(parseQueueDepth('process_cpu_seconds_total 1\n', 5)).toBeUndefined();
  });

  it('processing rate = (enqueued − backlog growth) ÷ time until the backlog drains, whatever the completed counter says', () => {
    const samples = [
      depth(0, 0),
      depth(1000, 300, 8),
      depth(2000, 500, 8),
      depth(3000, 100, 8),
      depth(4000, 0),
      depth(5000, 0),
    ];
    expect(processingRate(samples, 1000, 0)).toEqual({ ratePerSec: 250, drainedAtMs: 4000 });
    expect(processingRate(samples.slice(0, 3), 1000, 0)).toEqual({ ratePerSec: 246, drainedAtMs: null });
  });

  it('adds the queue columns to series.csv rows that have a sample', () => {
    const csv = 'second,phase\n0,a\n1,b\n';
    expect(appendQueueColumns(csv, new Map([[1, depth(0, 7, 2)]]))).toBe(
      'second,phase,queue_waiting,queue_active\n0,a,,\n1,b,7,2\n',
    );
  });
});

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-level3-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('loadlab level3', () => {
  it.skipIf(!inject('redisUrl'))(
    'runs on Redis: enqueue phase, rates and depth rows, queue columns in series.csv',
    async () => {
      const io = memoryIO();
      const code = await main(
        [
          'level3',
          ...SMOKE,
          '--workers',
          '2',
          '--database-url',
          inject('databaseUrl'),
          '--redis-url',
          inject('redisUrl'),
          '--out',
          outDir,
        ],
        io,
      );
      expect(code, io.err()).toBe(0);
      const { run, series } = readRun(outDir);
      expect(validateRunJson(run)).toEqual([]);
      expect(run.phases.map((p: { name: string }) => p.name)).toEqual([
        'level3 warm-up',
        'level3 throughput',
        'level3 enqueue',
        'level3 latency',
      ]);
      const rows = Object.fromEntries(
        run.kpi.rows.map((r: { metric: string; cells: { level3: { value: unknown } } }) => [
          r.metric,
          r.cells.level3.value,
        ]),
      );
      expect(typeof rows['Enqueue rate (POST /api/tasks)']).toBe('number');
      expect(typeof rows['Processing rate']).toBe('number');
      expect(rows['Queue depth, max']).toBeGreaterThan(0);
      expect(series.split('\n')[0]).toMatch(/,queue_waiting,queue_active$/);
      expect(series).toMatch(/level3 enqueue,.*,\d+,\d+\n/);
      expect(trackedCount()).toBe(0);
    },
    120_000,
  );
});
