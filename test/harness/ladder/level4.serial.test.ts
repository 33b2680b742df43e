// Level 4 end to end (after Level 2, whose reload check is the passing control): 2 nodes behind nginx, distribution and efficiency.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { judgeCluster, workersPerNode } from '../../../harness/ladder/level4.ts';
import { wordLevel } from '../../../harness/report/words.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO } from '../helpers.ts';
import { isAlive } from '../../support/sut-process.ts';
import { readRun, SMOKE, startedPids } from './level-helpers.ts';

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-level4-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('level 4 judgment', () => {
  it('an even split passes; 3:1 fails; a node that never answered counts as 0', () => {
    const even = judgeCluster({ counts: { a: 500, b: 500 }, missingHeader: 0, failed: 0 }, 100, undefined, ['a', 'b']);
    expect(even.verdict.passed).toBe(true);
    expect(wordLevel(even).checks[0]?.passed).toBe(true);
    const skewed = judgeCluster({ counts: { a: 750, b: 250 }, missingHeader: 0, failed: 0 }, 100, undefined, [
      'a',
      'b',
    ]);
    expect(skewed.verdict.passed).toBe(false);
    expect(wordLevel(skewed).checks[0]?.passed).toBe(false);
    const missing = judgeCluster({ counts: { a: 1000 }, missingHeader: 0, failed: 0 }, 100, undefined, ['a', 'b']);
    expect(missing.verdict.passed).toBe(false);
    expect(missing.distribution.perNode).toEqual([
      { node: 'a', count: 1000 },
      { node: 'b', count: 0 },
    ]);
    expect(missing.efficiencyPct).toBeNull();
    const rows = wordLevel(missing).extras;
    expect(rows.find((e) => e.metric === 'Efficiency vs M × Level 2')).toMatchObject({ value: null, status: 'warn' });
  });

  it('splits the cores over the nodes unless --workers says otherwise', () => {
    expect(workersPerNode(undefined, 2, 2)).toBe(1);
    expect(workersPerNode(undefined, 3, 8)).toBe(2);
    expect(workersPerNode(4, 2, 2)).toBe(4);
  });
});

describe('loadlab level4', () => {
  it('runs Level 2 (reloads pass) then 2 nodes behind nginx: distribution passes, efficiency vs 2 × Level 2, nothing left running', async () => {
    const io = memoryIO();
    const code = await main(
      ['level4', ...SMOKE, '--workers', '2', '--database-url', inject('databaseUrl'), '--out', outDir],
      io,
    );
    const { run, kpi } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    const checks = Object.fromEntries(run.checks.map((c: { name: string; passed: boolean }) => [c.name, c]));
    expect(checks['level2 reload'], io.err()).toMatchObject({ passed: true, value: 0 });
    expect(checks['level2 reload'].detail).toMatch(/^2\/2 rolling reloads \(SIGHUP\) finished .*2 inside the/);
    expect(checks['level4 distribution'], kpi).toMatchObject({ passed: true });
    expect(checks['level4 distribution'].detail).toMatch(/node-1 \d+ .*node-2 \d+/);
    expect(code).toBe(0);
    const efficiency = run.kpi.rows.find((r: { metric: string }) => r.metric === 'Efficiency vs M × Level 2');
    expect(typeof efficiency.cells.level4.value).toBe('number');
    expect(kpi).toMatch(/Level 4: 2 nodes × 2 worker\(s\) behind nginx/);
    expect(trackedCount()).toBe(0);
    for (const pid of startedPids(io.err())) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  }, 150_000);
});
