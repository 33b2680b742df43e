// The task queue on BullMQ: enqueue, read back and count tasks, failing fast with
// SUT_QUEUE_UNAVAILABLE while Redis is down and healing by itself when it returns.
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { UnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { closeClient, createProducerClient } from './connection.ts';
import { toTaskView } from './view.ts';
import { DEFAULT_QUEUE_NAME, GET_REDIS_HINT, type TaskCounts, type TaskInput, type TaskQueue } from './task.ts';

export type { TaskCounts, TaskInput, TaskJob, TaskQueue, TaskState, TaskView, TaskWork } from './task.ts';
export { DEFAULT_QUEUE_NAME, GET_REDIS_HINT } from './task.ts';
export { startTaskWorker } from './worker.ts';

export interface TaskQueueOptions {
  redisUrl: string;
  queueName?: string;
  log: Logger;
}

/**
 * Retention, so a long Level 3 run does not grow Redis without bound: a finished task stays readable
 * for an hour, but at most the newest 10k completed (at ~1k/s that is the last ~10 s) and 10k failed.
 * One attempt: a report that failed (unknown team) fails the same way again.
 */
export const TASK_JOB_OPTIONS: Readonly<JobsOptions> = Object.freeze({
  attempts: 1,
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 24 * 3_600, count: 10_000 },
});

// Errors that mean "Redis is not there", from ioredis (offline queue off, timeouts, dropped
// sockets, retries used up) and the OS; anything else is a bug and stays a 500.
const CONNECTION_ERROR =
  /Stream isn't writeable|Command timed out|Connection is closed|max retries per request|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|connection lost|LOADING/i;

/** The BullMQ queue, created on first use and again if its start-up was cut off by an outage. */
function createQueueHolder(client: Redis, name: string, log: Logger): { use(): Queue; close(): Promise<void> } {
  let current: Queue | undefined;
  return {
    use() {
      if (current) return current;
      const queue = new Queue(name, { connection: client, defaultJobOptions: { ...TASK_JOB_OPTIONS } });
      queue.on('error', (err: Error) => log.debug(`task queue ${name}: ${err.message}`));
      // BullMQ remembers a failed start forever; forget that instance so the next call starts afresh.
      queue.waitUntilReady().catch(() => {
        if (current === queue) current = undefined;
        void queue.close().catch(() => undefined);
      });
      current = queue;
      return queue;
    },
    async close() {
      // The queue shares our client, so this releases BullMQ's listeners; the client is closed by the caller.
      await current?.close().catch(() => undefined);
      current = undefined;
    },
  };
}

function unavailable(cause?: unknown): UnavailableError {
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return new UnavailableError(
    'SUT_QUEUE_UNAVAILABLE',
    `the job queue is unavailable: Redis cannot be reached${reason}; ${GET_REDIS_HINT}`,
    cause,
  );
}

/**
 * A producer-side task queue for HTTP handlers.
 * @example const queue = createTaskQueue({ redisUrl, log }); const { id } = await queue.enqueue({ type: 'generate_report', args: { teamId: 1 } });
 */
export function createTaskQueue(opts: TaskQueueOptions): TaskQueue {
  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const client = createProducerClient(opts.redisUrl, opts.log, `queue:${name}`);
  const queue = createQueueHolder(client, name, opts.log);
  let closed = false;
  const available = () => !closed && client.status === 'ready';

  /** Refuses at once when the client is not connected, and turns connection failures into a 503. */
  async function guarded<T>(operation: (q: Queue) => Promise<T>): Promise<T> {
    if (!available()) throw unavailable();
    try {
      return await operation(queue.use());
    } catch (err) {
      if (!available() || CONNECTION_ERROR.test((err as Error)?.message ?? '')) throw unavailable(err);
      throw err;
    }
  }

  return {
    enqueue: (input: TaskInput) =>
      guarded(async (q) => {
        const job = await q.add(input.type, input.args);
        return { id: job.id! };
      }),
    get: (id: string) =>
      guarded(async (q) => {
        // State first, then the job: the other order can see a job fetched while active reported
        // as completed, with its result still missing.
        const state = await q.getJobState(id);
        const job: Job | undefined = state === 'unknown' ? undefined : await q.getJob(id);
        return job ? toTaskView(job, state) : null;
      }),
    counts: () => guarded(readCounts),
    available,
    ready: (timeoutMs: number) => (available() ? Promise.resolve(true) : waitForReady(client, timeoutMs)),
    async close() {
      if (closed) return;
      closed = true;
      await queue.close();
      await closeClient(client);
    },
  };
}

/** True on the client's next 'ready', false when the deadline passes first. */
function waitForReady(client: Redis, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

async function readCounts(q: Queue): Promise<TaskCounts> {
  const c = await q.getJobCounts(
    'waiting',
    'prioritized',
    'waiting-children',
    'active',
    'completed',
    'failed',
    'delayed',
  );
  const n = (key: string) => c[key] ?? 0;
  return {
    waiting: n('waiting') + n('prioritized') + n('waiting-children'),
    active: n('active'),
    completed: n('completed'),
    failed: n('failed'),
    delayed: n('delayed'),
  };
}
