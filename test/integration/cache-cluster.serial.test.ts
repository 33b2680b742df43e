// One logical cache per node, on the real entry point (a cluster of two workers) and real PostgreSQL: a flush
// empties every worker before it answers, a write through one worker is never served stale by the other, and a
// reload's new workers start with the caches of the workers they replace.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { callOnNewConnection, type ClusterAnswer } from '../support/net.ts';
import { startSutProcess, type SutProcess } from '../support/sut-process.ts';

const ADMIN = 'Bearer cache-cluster-admin-token';
let sut: SutProcess | undefined;
afterEach(async () => {
  await sut?.stop('SIGTERM');
  sut = undefined;
});

const start = () =>
  startSutProcess({
    WORKERS: '2',
    CACHE: 'on',
    LATENCY: 'none',
    ADMIN_TOKEN: ADMIN.slice('Bearer '.length),
    REDIS_URL: 'off',
    DATABASE_URL: inject('databaseUrl'),
  });

/** One request on a connection of its own: the cluster hands new connections to its workers in turn. */
const call = (method: string, path: string, body?: unknown, authorization?: string) =>
  callOnNewConnection(sut!.url, method, path, body, authorization);

/** Reads `path` until every worker has answered `hit` at least once: both workers hold it. */
async function warmEveryWorker(path: string, workers = 2): Promise<void> {
  const hit = new Set<string>();
  for (let i = 0; i < 100 && hit.size < workers; i++) {
    const answer = await call('GET', path);
    if (answer.cache === 'hit') hit.add(answer.workerId);
  }
  expect(hit.size).toBe(workers);
}

/** Reads `path` until a worker other than `not` answers (round-robin: the next connection or the one after). */
async function readElsewhere(path: string, not: string): Promise<ClusterAnswer> {
  for (let i = 0; i < 50; i++) {
    const answer = await call('GET', path);
    if (answer.workerId !== not) return answer;
  }
  throw new Error(`only worker ${not} answered ${path}`);
}

async function cacheMisses(): Promise<number> {
  const text = await (await fetch(`${sut!.url}/metrics`)).text();
  return Number(/^loadlab_cache_misses_total (\d+)/m.exec(text)?.[1]);
}

describe('one cache across the workers of a node', () => {
  it('a flush empties every worker before it answers: each worker misses once, then hits', async () => {
    sut = await start();
    await warmEveryWorker('/api/users/77');
    const flush = await call('POST', '/admin/cache/flush', undefined, ADMIN);
    expect(flush.status).toBe(200);
    expect(flush.body).toMatchObject({ cache: 'on', workersFlushed: 2, complete: true });
    expect(flush.body.flushed).toBeGreaterThanOrEqual(2);

    const missesBefore = await cacheMisses();
    const byWorker: Record<string, string[]> = {};
    for (let i = 0; i < 20; i++) {
      const answer = await call('GET', '/api/users/77');
      expect(answer.status).toBe(200);
      (byWorker[answer.workerId] ??= []).push(answer.cache!);
    }
    expect(Object.keys(byWorker)).toHaveLength(2);
    for (const [worker, tally] of Object.entries(byWorker)) {
      expect(tally, `worker ${worker}`).toEqual(['miss', ...Array(tally.length - 1).fill('hit')]);
    }
    expect(await cacheMisses()).toBe(missesBefore + 2);
  }, 60_000);

  it('after a rolling reload (SIGHUP) the flush reaches the new workers and no retired one is waited for', async () => {
    sut = await start();
    await warmEveryWorker('/api/users/78');
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/);
    await warmEveryWorker('/api/users/78');
    const flush = await call('POST', '/admin/cache/flush', undefined, ADMIN);
    expect(flush.body).toMatchObject({ cache: 'on', workersFlushed: 2, complete: true });
    const first = await call('GET', '/api/users/78');
    expect(first.cache).toBe('miss');
    expect((await readElsewhere('/api/users/78', first.workerId)).cache).toBe('miss');
  }, 60_000);

  it("a rolling reload hands each worker's cache to its replacement: the new workers' first reads are hits", async () => {
    sut = await start();
    await warmEveryWorker('/api/users/79');
    await warmEveryWorker('/api/users/999999'); // a cached 404 travels too
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/);
    await sut.waitForLog(/cache seeded with \d+ entries from worker [12] in \d+ ms/, 2);
    const first = await call('GET', '/api/users/79');
    expect(first).toMatchObject({ status: 200, cache: 'hit' });
    expect(['3', '4']).toContain(first.workerId);
    const other = await readElsewhere('/api/users/79', first.workerId);
    expect(other).toMatchObject({ status: 200, cache: 'hit' });
    expect(['3', '4']).toContain(other.workerId);
    for (let i = 0; i < 2; i++)
      expect(await call('GET', '/api/users/999999')).toMatchObject({ status: 404, cache: 'hit' });
  }, 60_000);

  it('a write through one worker: the other serves the new value (and a deleted user as 404) right after', async () => {
    sut = await start();
    const email = `cache-cluster-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`;
    const created = await call('POST', '/api/users', { email, name: 'Before', password: 'long-enough' }, ADMIN);
    expect(created.status).toBe(201);
    const path = `/api/users/${created.body.id as number}`;
    await warmEveryWorker(path);

    const put = await call('PUT', path, { name: 'After' }, ADMIN);
    expect(put).toMatchObject({ status: 200, body: { name: 'After' } });
    const other = await readElsewhere(path, put.workerId);
    expect(other).toMatchObject({ status: 200, cache: 'miss', body: { name: 'After' } });

    await warmEveryWorker(path);
    const del = await call('DELETE', path, undefined, ADMIN);
    expect(del.status).toBe(200);
    expect(await readElsewhere(path, del.workerId)).toMatchObject({ status: 404, cache: 'miss' });
  }, 60_000);
});
