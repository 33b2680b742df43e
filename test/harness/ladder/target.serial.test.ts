// --target: a level runs against a deployment loadlab did not start (nothing started, nothing stopped, no baseline level).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { trackedCount } from '../../../harness/env/processes.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO, startServer, type TestServer } from '../helpers.ts';
import { readRun, SMOKE } from './level-helpers.ts';

let server: TestServer | undefined;
let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-target-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(outDir, { recursive: true, force: true });
});

/** Answers every route of the standard mix with a body that has every key the verification looks for (and the id asked for). */
const fakeSut = () =>
  startServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-node-id', 'fake');
    const id = Number(/\/(\d+)(?:\?|$)/.exec(req.url ?? '')?.[1] ?? 1);
    res.end(JSON.stringify({ id, items: [], token: 't', userId: 1 }));
  });

describe('--target', () => {
  it('level1 --target runs Level 1 alone against the running server and says there is no speed-up without Level 0', async () => {
    server = await fakeSut();
    const io = memoryIO();
    expect(await main(['level1', ...SMOKE, '--target', server.url, '--out', outDir], io), io.err()).toBe(0);
    const { run, kpi } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    expect(run.phases.map((p: { name: string }) => p.name)).toEqual([
      'level1 warm-up',
      'level1 throughput',
      'level1 latency',
    ]);
    expect(kpi).toContain('Level 1: no Level 0 run in this invocation, so no speed-up.');
    expect(kpi).toContain(`Level 1: --target ${server.url} (not started by loadlab)`);
    expect(io.err()).not.toContain('(pids');
    expect(trackedCount()).toBe(0);
  }, 60_000);

  it('a target that answers wrongly is not benchmarked (exit 1, nothing written)', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('no');
    });
    const io = memoryIO();
    expect(await main(['level0', ...SMOKE, '--target', server.url, '--out', outDir], io)).toBe(1);
    expect(io.err()).toContain('verification failed, not benchmarking');
  });
});
