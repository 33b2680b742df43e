// Runs task processors: a BullMQ worker that takes jobs from Redis, waits out Redis outages and
// reconnects by itself, and hands each job to a plain work function.
import { Worker, type Job } from 'bullmq';
import type { Logger } from '../log.ts';
import { closeClient, createConsumerClient } from './connection.ts';
import { DEFAULT_QUEUE_NAME, type TaskWork } from './task.ts';

export interface TaskWorkerOptions {
  redisUrl: string;
  queueName?: string;
  /** Jobs processed at once by this process (each mostly waits: latency, database). */
  concurrency: number;
  work: TaskWork;
  log: Logger;
  /** How long close() waits for running jobs before dropping them (they become stalled, not lost). */
  closeTimeoutMs?: number;
}

export interface TaskWorker {
  close(): Promise<void>;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * Starts processing at once.
 * @example const worker = startTaskWorker({ redisUrl, concurrency: 8, work: createReportWork(store, draw), log });
 */
export function startTaskWorker(opts: TaskWorkerOptions): TaskWorker {
  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const client = createConsumerClient(opts.redisUrl, opts.log, `worker:${name}`);
  const processor = (job: Job) => opts.work({ id: job.id ?? '', type: job.name, args: job.data });
  const worker = new Worker(name, processor, { connection: client, concurrency: opts.concurrency });
  // Without a listener an 'error' event would throw; outages are already logged by the client.
  worker.on('error', (err: Error) => opts.log.debug(`task worker ${name}: ${err.message}`));
  worker.on('failed', (job, err) => opts.log.debug(`task ${job?.id ?? '?'} failed: ${err.message}`));
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= closeWorker(worker, opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS).then(() =>
        closeClient(client),
      )),
  };
}

/** Graceful close (running jobs finish), forced after the timeout so a shutdown never hangs on a job. */
async function closeWorker(worker: Worker, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') await worker.close(true).catch(() => undefined);
}
