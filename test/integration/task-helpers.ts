// Fixtures for task tests: an in-process app with /api/tasks mounted, unique queue names, a bounded
// poll for a task to finish, and cleanup of a test queue's keys in a shared Redis.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createApp } from '../../sut/app.ts';
import { createTokenService } from '../../sut/auth/token.ts';
import type { Store } from '../../sut/data/store.ts';
import type { TaskQueue, TaskView } from '../../sut/jobs/queue.ts';
import { silentLogger } from '../../sut/log.ts';
import { TEST_BODY_LIMIT, TEST_SECRET, testTokens } from '../sut/helpers.ts';

export const { token } = testTokens();
export const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

let sequence = 0;
/** Unique per process, run and call, so parallel files and runs on one Redis never share a queue. */
export function uniqueQueueName(label: string): string {
  sequence += 1;
  return `test-${label}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

/** The real app (createApp) with the task routes mounted the way the SUT will mount them. */
export function createTaskTestApp(store: Store, queue: TaskQueue | undefined) {
  const deps = {
    store,
    tokens: createTokenService(TEST_SECRET, 3600),
    log: silentLogger,
    nodeId: 'test-node',
    workerId: '0',
    bodyLimitBytes: TEST_BODY_LIMIT,
    queue,
  };
  return createApp(deps);
}

type TestApp = ReturnType<typeof createTaskTestApp>;

export async function call(
  app: TestApp,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
) {
  const res = await app.request(path, { method, headers: options.headers, body: options.body });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export const enqueueReport = (app: TestApp, teamId: unknown) =>
  call(app, 'POST', '/api/tasks', {
    headers: auth,
    body: JSON.stringify({ type: 'generate_report', args: { teamId } }),
  });

/** Polls GET /api/tasks/:id until the task completed or failed; bounded, so a stuck worker fails the test. */
export async function waitForTask(app: TestApp, id: string, timeoutMs = 10_000): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await call(app, 'GET', `/api/tasks/${id}`);
    if (status === 200 && (body.state === 'completed' || body.state === 'failed')) return body as TaskView;
    if (Date.now() > deadline)
      throw new Error(`task ${id} did not finish within ${timeoutMs} ms (last: ${status} ${JSON.stringify(body)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls until `check` is true, or throws after the deadline. */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Deletes a test queue's keys, so runs against a long-lived Redis (REDIS_URL) leave nothing behind. */
export async function dropQueue(redisUrl: string, name: string): Promise<void> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  const queue = new Queue(name, { connection: client });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    client.disconnect();
  }
}
