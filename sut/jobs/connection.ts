// ioredis clients for the task queue: a fail-fast one for request paths, a patient one for workers,
// both reconnecting on their own with a short backoff so a Redis restart heals without us.
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

/** Reconnect delay: quick first retries (a restarted Redis is back within ms), capped at 1 s. */
const RECONNECT_STEP_MS = 50;
const RECONNECT_MAX_MS = 1_000;
/** A request-path command that takes longer than this means Redis is stuck: answer 503, don't queue up. */
const PRODUCER_COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 2_000;

const retryStrategy = (attempt: number): number => Math.min(attempt * RECONNECT_STEP_MS, RECONNECT_MAX_MS);

/**
 * For enqueue/get/counts from HTTP handlers. `enableOfflineQueue: false` makes a command fail at once
 * while disconnected instead of waiting for a reconnect (BullMQ's "failing fast when Redis is down"),
 * `maxRetriesPerRequest: 0` stops a command cut off mid-flight from being replayed later, and
 * `commandTimeout` bounds a Redis that accepts the connection but does not answer.
 */
export function createProducerClient(url: string, log: Logger, label: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy,
    connectionName: label,
  });
  watchAvailability(client, log, label);
  return client;
}

/**
 * For BullMQ workers and event listeners, which hold blocking commands: BullMQ requires
 * `maxRetriesPerRequest: null` there, and a worker should simply wait out an outage.
 */
export function createConsumerClient(url: string, log: Logger, label: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy,
    connectionName: label,
  });
  watchAvailability(client, log, label);
  return client;
}

/**
 * Logs each transition once (down, back) instead of every reconnect attempt's error, and keeps
 * ioredis from printing "Unhandled error event" for errors nobody listens to.
 */
function watchAvailability(client: Redis, log: Logger, label: string): void {
  let down = false;
  client.on('error', (err: Error) => log.debug(`${label}: redis error: ${err.message}`));
  client.on('close', () => {
    if (down || client.status === 'end') return;
    down = true;
    log.warn(`${label}: Redis connection lost; task routes answer 503 SUT_QUEUE_UNAVAILABLE until it is back`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info(`${label}: Redis reachable again`);
  });
}

/** Closes a client politely when connected, at once otherwise (QUIT would wait for a reconnect). */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
