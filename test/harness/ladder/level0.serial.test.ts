// End to end: `loadlab level0 --quick` on the real SUT and PostgreSQL, and a run that fails midway leaves nothing running.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO } from '../helpers.ts';
import { isAlive } from '../../support/sut-process.ts';
import { readRun, SMOKE, startedPids } from './level-helpers.ts';

const CORE_ROWS = ['p50 latency', 'p95 latency', 'p99 latency', 'Throughput', 'Error rate', 'Availability'];

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-level-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('loadlab level0', () => {
  it('runs end to end: exit 0, a valid run.json with every KPI row filled, kpi.md and the table on stdout, nothing left running', async () => {
    const io = memoryIO();
    const code = await main(['level0', ...SMOKE, '--database-url', inject('databaseUrl'), '--out', outDir], io);
    expect(code, io.err()).toBe(0);
    const { run, kpi, series, sutLog } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    expect(run.kind).toBe('bench-level0');
    expect(run.phases.map((p: { name: string }) => p.name)).toEqual([
      'level0 warm-up',
      'level0 throughput',
      'level0 latency',
    ]);
    expect(run.phases[2]).toMatchObject({ model: 'open', judged: true });
    expect(run.kpi.rows.map((r: { metric: string }) => r.metric)).toEqual(CORE_ROWS);
    for (const row of run.kpi.rows) expect(typeof row.cells.level0.value, row.metric).toBe('number');
    expect(run.checks).toEqual([]);
    expect(kpi).toContain('| Metric | Target | Level 0 | Level 1 | Level 2 | Level 3 | Level 4 |');
    expect(kpi).toMatch(/Method: .*2s closed phase \(8 connections/);
    expect(io.out()).toBe(kpi);
    expect(series.split('\n').length).toBeGreaterThan(3);
    // What the SUT printed, under its level's heading, to its drain at the stop.
    expect(sutLog).toMatch(/^# level0: 1 worker\(s\), cache off, DATABASE_URL\n/);
    expect(sutLog).toMatch(/^loadlab sut listening on http:\/\/127\.0\.0\.1:\d+ /m);
    expect(sutLog).toMatch(/worker 1 \(pid \d+\) ready/);
    expect(trackedCount()).toBe(0);
    for (const pid of startedPids(io.err())) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  }, 120_000);

  it('stops everything it started when the run fails midway (exit 4)', async () => {
    const io = memoryIO();
    const code = await main(
      ['level0', ...SMOKE, '--chaos', 'fail', '--database-url', inject('databaseUrl'), '--out', outDir],
      io,
    );
    expect(code, io.err()).toBe(4);
    expect(io.err()).toContain('--chaos fail');
    const pids = startedPids(io.err());
    expect(pids.length).toBe(1);
    expect(isAlive(pids[0]!)).toBe(false);
    expect(trackedCount()).toBe(0);
    expect(readdirSync(outDir)).toEqual([]);
  }, 120_000);

  it('--target with a bad URL is a usage error (exit 2)', async () => {
    const io = memoryIO();
    expect(await main(['level0', '--target', 'ftp://x', '--out', outDir], io)).toBe(2);
    expect(io.err()).toContain('--target: only http:// and https:// URLs');
  });
});
