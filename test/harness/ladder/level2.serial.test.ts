// Level 2's reload check: SIGKILLing the workers instead of a rolling reload must fail it (the passing control runs in level4.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { judgeReload } from '../../../harness/ladder/level2.ts';
import { wordLevel } from '../../../harness/report/words.ts';
import { memoryIO } from '../helpers.ts';
import { readRun, SMOKE } from './level-helpers.ts';

let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-level2-'));
});
afterEach(() => rmSync(outDir, { recursive: true, force: true }));

describe('loadlab level2: the reload check', () => {
  it('negative control: SIGKILLing the workers instead (--chaos kill) fails the check and the run (exit 1)', async () => {
    const io = memoryIO();
    const code = await main(
      [
        'level2',
        ...SMOKE,
        '--workers',
        '2',
        '--reloads',
        '1',
        '--chaos',
        'kill',
        '--database-url',
        inject('databaseUrl'),
        '--out',
        outDir,
      ],
      io,
    );
    const { run } = readRun(outDir);
    const check = run.checks.find((c: { name: string }) => c.name === 'level2 reload');
    expect(check, io.err()).toMatchObject({ passed: false });
    expect(check.value).toBeGreaterThan(0);
    expect(check.detail).toContain('non-graceful restarts (SIGKILL of every worker)');
    expect(code).toBe(1);
    expect(trackedCount()).toBe(0);
  }, 120_000);

  it('fails when a reload finished after the open phase ended, even with no failed request', () => {
    const open = {
      durationSec: 10,
      targetRps: 100,
      requests: { sent: 1000, completed: 1000, failed: 0, inFlight: 0, byStatus: { '200': 1000 }, byError: {} },
    } as never;
    const judged = judgeReload(
      open,
      { kind: 'reload', requested: 2, done: 2, startedAtMs: [3_000, 9_000], finishedAtMs: [5_000, 11_000] },
      2,
    );
    expect(judged).toMatchObject({ inPhase: 1, lost: 0, verdict: { name: 'level2 reload', passed: false, value: 0 } });
    const [check] = wordLevel(judged).checks;
    expect(check).toMatchObject({ passed: false, value: 0 });
    expect(check?.detail).toContain('1 inside the 10s open phase');
  });
});
