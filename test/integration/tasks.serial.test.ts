// /api/tasks on real Redis (BullMQ): enqueue, process, read back, exact counts, bad input, and a
// Redis outage that gives fast 503s while other routes keep serving, then heals without a restart.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createLatencySampler } from '../../sut/cache/latency.ts';
import { createMemoryStore } from '../../sut/data/memory-store.ts';
import { createTaskQueue, startTaskWorker, type TaskQueue } from '../../sut/jobs/queue.ts';
import { createReportWork } from '../../sut/jobs/report.ts';
import { silentLogger } from '../../sut/log.ts';
import { startEmbeddedRedis, type RedisHandle } from '../../services/redis.ts';
import {
  auth,
  call,
  createTaskTestApp,
  dropQueue,
  enqueueReport,
  uniqueQueueName,
  waitForTask,
  waitUntil,
} from './task-helpers.ts';

const redisUrl = inject('redisUrl');
const store = createMemoryStore({ users: 50, teams: 5 });
const work = createReportWork(store, createLatencySampler({ kind: 'uniform', minMs: 1, maxMs: 5 }, 42));

/** Everything a test opened, closed in reverse order after it, whatever happened. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openQueue(url: string, name: string): Promise<TaskQueue> {
  const queue = createTaskQueue({ redisUrl: url, queueName: name, log: silentLogger });
  cleanups.push(() => queue.close());
  // Until its first connection the queue answers 503 like during an outage; the SUT waits the same way.
  expect(await queue.ready(5_000)).toBe(true);
  return queue;
}

function openWorker(url: string, name: string): void {
  const worker = startTaskWorker({ redisUrl: url, queueName: name, concurrency: 4, work, log: silentLogger });
  cleanups.push(() => worker.close());
}

/** A queue (and optionally a worker) on the shared test Redis, dropped afterwards. */
async function setup(label: string, options: { worker: boolean }) {
  const name = uniqueQueueName(label);
  cleanups.push(() => dropQueue(redisUrl, name));
  const queue = await openQueue(redisUrl, name);
  if (options.worker) openWorker(redisUrl, name);
  return { name, queue, app: createTaskTestApp(store, queue) };
}

describe.skipIf(!redisUrl)('/api/tasks on real Redis', () => {
  it('enqueues (202 + Location), processes and shows the completed report', async () => {
    const { app } = await setup('report', { worker: true });
    const res = await enqueueReport(app, 2);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[1-9]\d*$/), state: 'queued' });
    expect(res.headers.get('location')).toBe(`/api/tasks/${res.body.id}`);
    expect(res.headers.get('x-node-id')).toBe('test-node');

    const task = await waitForTask(app, res.body.id);
    const team = (await store.getTeam(2))!;
    expect(task).toMatchObject({ id: res.body.id, type: 'generate_report', state: 'completed' });
    expect(task.result).toMatchObject({
      teamId: 2,
      teamName: team.name,
      memberCount: team.members.length,
      membersByRole: { owner: 1, admin: 0, member: 9 },
    });
    expect(Date.parse(task.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(task.createdAt));
  });

  it('fails a report for an unknown team, with the reason', async () => {
    const { app } = await setup('unknown-team', { worker: true });
    const res = await enqueueReport(app, 999);
    expect(res.status).toBe(202);
    const task = await waitForTask(app, res.body.id);
    expect(task).toMatchObject({ state: 'failed', error: 'team 999 not found' });
    expect(task).not.toHaveProperty('result');
  });

  it('counts exactly: N queued while no worker runs, then N finished once one does', async () => {
    const { name, queue } = await setup('counts', { worker: false });
    const teamIds = [...Array.from({ length: 17 }, (_, i) => (i % 5) + 1), 900, 901, 902];
    const ids = await Promise.all(
      teamIds.map((teamId) => queue.enqueue({ type: 'generate_report', args: { teamId } })),
    );
    expect(new Set(ids.map((r) => r.id)).size).toBe(20);
    expect(await queue.counts()).toEqual({ waiting: 20, active: 0, completed: 0, failed: 0, delayed: 0 });
    expect(await queue.get(ids[0]!.id)).toMatchObject({ state: 'queued' });

    openWorker(redisUrl, name);
    await waitUntil('all 20 finished', async () => {
      const c = await queue.counts();
      return c.completed + c.failed === 20;
    });
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, completed: 17, failed: 3, delayed: 0 });
  });

  it('answers 4xx for bad input, like every other route', async () => {
    const { app } = await setup('bad-input', { worker: false });
    const post = (body: string, headers: Record<string, string> = auth) =>
      call(app, 'POST', '/api/tasks', { headers, body });
    const cases = [
      [
        'no token',
        post('{"type":"generate_report","args":{"teamId":1}}', { 'content-type': 'application/json' }),
        401,
        'SUT_UNAUTHORIZED',
      ],
      ['broken JSON', post('{"type":'), 400, 'SUT_BAD_JSON'],
      [
        'not JSON',
        post('type=generate_report', { ...auth, 'content-type': 'text/plain' }),
        415,
        'SUT_UNSUPPORTED_MEDIA_TYPE',
      ],
      ['unknown type', post('{"type":"send_mail","args":{"teamId":1}}'), 400, 'SUT_VALIDATION'],
      ['teamId "x"', post('{"type":"generate_report","args":{"teamId":"x"}}'), 400, 'SUT_VALIDATION'],
      ['teamId 0', post('{"type":"generate_report","args":{"teamId":0}}'), 400, 'SUT_VALIDATION'],
      ['no args', post('{"type":"generate_report"}'), 400, 'SUT_VALIDATION'],
      ['extra field', post('{"type":"generate_report","args":{"teamId":1},"priority":1}'), 400, 'SUT_VALIDATION'],
      ['unknown id', call(app, 'GET', '/api/tasks/987654321'), 404, 'SUT_NOT_FOUND'],
      ['id not a number', call(app, 'GET', '/api/tasks/abc'), 400, 'SUT_VALIDATION'],
      ['id 0', call(app, 'GET', '/api/tasks/0'), 400, 'SUT_VALIDATION'],
      ['id with a colon (a Redis key separator)', call(app, 'GET', '/api/tasks/1:2'), 400, 'SUT_VALIDATION'],
      ['DELETE', call(app, 'DELETE', '/api/tasks/1'), 405, 'SUT_METHOD_NOT_ALLOWED'],
    ] as const;
    for (const [label, pending, status, code] of cases) {
      const res = await pending;
      expect({ label, status: res.status, code: res.body.error?.code }).toEqual({ label, status, code });
    }
  });
});

describe('/api/tasks without a queue', () => {
  it('answers 503 SUT_QUEUE_UNAVAILABLE saying how to get Redis, and still checks input first', async () => {
    const app = createTaskTestApp(store, undefined);
    const post = await enqueueReport(app, 1);
    expect(post.status).toBe(503);
    expect(post.body.error.code).toBe('SUT_QUEUE_UNAVAILABLE');
    expect(post.body.error.message).toMatch(/apt-get install redis-server.*docker compose up -d redis.*REDIS_URL/);
    expect((await call(app, 'GET', '/api/tasks/1')).status).toBe(503);
    expect((await enqueueReport(app, 'x')).status).toBe(400);
    expect((await call(app, 'GET', '/api/users/1')).status).toBe(200);
  });
});

const hasRedisServer = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Needs a redis-server this test can stop and start, whatever REDIS_URL says.
describe.skipIf(!hasRedisServer && process.env.CI !== 'true')('/api/tasks while Redis stops and comes back', () => {
  it('503s within a second while down, keeps serving users, and recovers on the same port without a restart', async () => {
    let redis: RedisHandle = await startEmbeddedRedis();
    cleanups.push(() => redis.stop());
    const name = uniqueQueueName('outage');
    const queue = await openQueue(redis.url, name);
    openWorker(redis.url, name);
    const app = createTaskTestApp(store, queue);
    const before = await enqueueReport(app, 1);
    expect(before.status).toBe(202);
    expect((await waitForTask(app, before.body.id)).state).toBe('completed');

    const port = redis.port!;
    await redis.stop();
    const startedMs = performance.now();
    const down = await enqueueReport(app, 1);
    const elapsedMs = performance.now() - startedMs;
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('SUT_QUEUE_UNAVAILABLE');
    expect(down.body.error.message).toContain('REDIS_URL');
    expect(elapsedMs).toBeLessThan(1_000);
    expect((await call(app, 'GET', `/api/tasks/${before.body.id}`)).status).toBe(503);
    expect((await call(app, 'GET', '/api/users/1')).status).toBe(200);
    expect(queue.available()).toBe(false);

    redis = await startEmbeddedRedis({ port, password: redis.password }); // the same URL the clients hold
    expect(await queue.ready(5_000)).toBe(true); // reconnects by itself: nothing was restarted
    const after = await enqueueReport(app, 3);
    expect(after.status).toBe(202);
    expect(await waitForTask(app, after.body.id)).toMatchObject({ state: 'completed', result: { teamId: 3 } });
  });
});
