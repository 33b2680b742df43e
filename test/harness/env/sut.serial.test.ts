// SUT nodes the harness starts: a reload under traffic loses nothing, killWorkers is replaced,
// stop() leaves no process and no port, and a run that throws or is interrupted stops everything.
import { refused } from '../../support/net.ts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { descendants, isAlive } from '../../../services/spawn.ts';
import { stopAll, trackedCount, withCleanup } from '../../../harness/env/processes.ts';
import { startServices } from '../../../harness/env/services.ts';
import { startSut } from '../../../harness/env/sut.ts';
import { EXIT } from '../../../harness/errors.ts';
import { startStream } from '../../support/stream.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/interrupted-run.ts', import.meta.url));
let databaseUrl = '';
let redisUrl: string | undefined;

beforeAll(async () => {
  redisUrl = inject('redisUrl') || undefined; // the test Redis, so no node starts its own
  databaseUrl = (await startServices({ databaseUrl: inject('databaseUrl'), redisUrl, needRedis: false })).databaseUrl;
});

afterEach(async () => {
  await stopAll();
  expect(trackedCount()).toBe(0);
});

describe('startSut', () => {
  it('reload() rolls every worker under a steady stream without losing a request', async () => {
    const sut = await startSut({ workers: 2, nodeId: 'reload', databaseUrl, redisUrl });
    expect(sut.nodeId).toBe('reload');
    const before = sut.workerPids();
    expect(before).toHaveLength(2);
    const stream = startStream(sut.url, 100, (n) => `/api/users/${1 + (n % 1000)}`);
    await stream.reached(20);
    await sut.reload();
    const result = await stream.stop();
    expect(result.sent).toBeGreaterThan(20); // the reload ran while requests kept arriving
    expect(result.failed, JSON.stringify(result)).toBe(0);
    expect(result.ok).toBe(result.sent);
    const after = sut.workerPids();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
  });

  it('killWorkers() kills them all; the primary replaces them', async () => {
    const sut = await startSut({ workers: 2, nodeId: 'kill', databaseUrl, redisUrl });
    const old = sut.workerPids();
    const from = sut.logCount();
    sut.killWorkers('SIGKILL');
    await sut.waitForLog(/died: SIGKILL; replacing it/, { from, count: 2 });
    await sut.waitForLog(/worker \d+ \(pid \d+\) ready/, { from, count: 2 });
    const now = sut.workerPids();
    expect(now).toHaveLength(2);
    expect(now.filter((pid) => old.includes(pid))).toEqual([]);
    // Same URL afterwards: the node keeps its port even when every worker died at once.
    expect((await fetch(`${sut.url}/health`)).status).toBe(200);
  });

  it('stop() leaves no process and frees the port; a second stop() is harmless', async () => {
    const sut = await startSut({ workers: 2, databaseUrl, redisUrl });
    expect(sut.nodeId).not.toBe('unknown'); // the SUT's own default, read from its log
    const pids = [sut.pid, ...descendants(sut.pid)];
    expect(pids.length).toBeGreaterThanOrEqual(3);
    expect(await refused(sut.url)).toBe(false);
    await sut.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await refused(sut.url)).toBe(true);
    await sut.stop();
    expect(trackedCount()).toBe(0);
  });

  it('a bad SUT setting is a usage error (exit 2) naming the variable, and nothing is left running', async () => {
    const err = await startSut({ workers: 1, databaseUrl, redisUrl, env: { LATENCY: 'sometimes' } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ exitCode: EXIT.usage });
    expect((err as Error).message).toMatch(/LATENCY="sometimes"/);
    expect(trackedCount()).toBe(0);
  });
});

describe('cleanup', () => {
  it('a run that throws midway still stops every node it started', async () => {
    let pids: number[] = [];
    const run = withCleanup(async () => {
      const a = await startSut({ workers: 1, nodeId: 'a', databaseUrl, redisUrl });
      const b = await startSut({ workers: 1, nodeId: 'b', databaseUrl, redisUrl });
      pids = [a, b].flatMap((n) => [n.pid, ...descendants(n.pid)]);
      throw new Error('the level failed midway');
    });
    await expect(run).rejects.toThrow('the level failed midway');
    expect(pids.length).toBeGreaterThanOrEqual(4);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(trackedCount()).toBe(0);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s to the harness stops what it started, then exits %i', async (signal, code) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: { ...process.env, TEST_DATABASE_URL: inject('databaseUrl'), TEST_REDIS_URL: redisUrl ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const [line] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
    const { url, pids } = JSON.parse(line) as { url: string; pids: number[] };
    expect(pids.every(isAlive)).toBe(true);
    child.kill(signal);
    const [exitCode] = await exited;
    expect(exitCode, stderr).toBe(code);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await refused(url)).toBe(true);
  });
});
