// Composition root of one SUT process: store → latency → cache → app (with metrics, readiness) → server.
import { createTokenService } from './auth/token.ts';
import { withCache, type CachedStore } from './cache/cached-store.ts';
import { createLatencySampler } from './cache/latency.ts';
import { withLatency } from './cache/latency-store.ts';
import type { CachePeers, CacheSeed } from './cache/peers.ts';
import { createApp, identityHeaders } from './app.ts';
import type { SutConfig } from './config.ts';
import { createPgStore } from './data/pg-store.ts';
import { createTaskQueue, startTaskWorker, type TaskQueue } from './jobs/queue.ts';
import { createReportWork } from './jobs/report.ts';
import type { Store } from './data/store.ts';
import type { Logger } from './log.ts';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.ts';
import { createReadiness, type Readiness } from './runtime/readiness.ts';
import { startServer, type DrainMode, type RunningServer } from './runtime/server.ts';

export interface Worker extends RunningServer {
  readonly cache: CachedStore | undefined;
  readonly metrics: WorkerMetrics;
  readonly readiness: Readiness;
}

export interface WorkerOptions {
  workerId?: string;
  /** With Redis, the task routes enqueue there (and this worker processes TASK_CONCURRENCY jobs). */
  redisUrl?: string;
  /** Cluster workers answer /metrics for the whole cluster; alone, a worker answers for itself. */
  metricsText?: () => Promise<{ contentType: string; body: string }>;
  /** In a cluster: the node's other workers, which this worker's cache flushes and invalidates too. */
  cachePeers?: CachePeers;
  /** The cache of the worker this one replaces: loaded before it serves. */
  cacheSeed?: CacheSeed;
}

/** Builds the read path: latency is paid only by reads that get past the cache. */
export function composeStore(
  base: Store,
  config: SutConfig,
  workerId: string,
  peers?: CachePeers,
  cacheSeed?: CacheSeed,
): { store: Store; cache?: CachedStore } {
  // Each worker draws its own sequence, still repeatable: seed ⊕ worker id.
  const seed = (config.latencySeed + Number(workerId) * 7919) >>> 0;
  const slow = withLatency(base, createLatencySampler(config.latency, seed));
  if (!config.cacheEnabled) return { store: slow };
  const cache = withCache(slow, {
    max: config.cacheMax,
    maxBytes: config.cacheMaxBytes,
    ttlMs: config.cacheTtlMs,
    peers,
    seed: cacheSeed,
  });
  return { store: cache, cache };
}

export async function startWorker(
  config: SutConfig,
  databaseUrl: string,
  log: Logger,
  options: WorkerOptions = {},
): Promise<Worker> {
  const workerId = options.workerId ?? '0';
  const base = createPgStore({
    url: databaseUrl,
    poolMax: config.dbPoolMax,
    connectionTimeoutMs: config.dbConnectTimeoutMs,
  });
  const { store, cache } = composeStore(base, config, workerId, options.cachePeers, options.cacheSeed);
  const tasks = await startTasks(config, options.redisUrl, store, log, workerId);
  const metrics = createWorkerMetrics({
    cacheStats: cache && (() => cache.stats()),
    pool: base.pool,
    queueCounts: tasks.queue && (() => tasks.queue!.counts()),
  });
  const readiness = createReadiness({
    ping: () => base.ping(),
    pool: base.pool,
    maxLagMs: config.readyMaxLagMs,
    maxPoolWaiting: config.readyMaxPoolWaiting,
  });
  const app = createApp({
    store,
    cache,
    log,
    tokens: createTokenService(config.authSecret, config.tokenTtlSec),
    nodeId: config.nodeId,
    workerId,
    bodyLimitBytes: config.bodyLimitBytes,
    adminToken: config.adminToken,
    queue: tasks.queue,
    readiness,
    requestMetrics: metrics.requests,
    maxInFlight: config.maxInFlight,
    rateLimitRps: config.rateLimitRps,
    metrics:
      options.metricsText ??
      (async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() })),
  });
  // Before it listens: a new worker's first second of traffic would otherwise open every pool connection at
  // once (a PostgreSQL backend each, which loads its catalog on its first query) on cores the others serve on.
  const warmStart = performance.now();
  const warmed = await base.warm(POOL_WARM_WITHIN_MS);
  log.info(`warmed ${warmed} pool connections in ${Math.round(performance.now() - warmStart)} ms`);
  let server: RunningServer;
  try {
    server = await startServer(app.fetch, {
      port: config.port,
      host: config.host,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      responseHeaders: identityHeaders(config.nodeId, workerId),
    });
  } catch (err) {
    readiness.stop();
    await tasks.close();
    await store.close();
    throw err;
  }
  return {
    ...server,
    cache,
    metrics,
    readiness,
    async close(drainTimeoutMs?: number, mode?: DrainMode) {
      readiness.setDraining();
      await server.close(drainTimeoutMs, mode);
      readiness.stop();
      // With Redis gone (stopped first, or an outage) BullMQ's close waits for a reconnect forever.
      await withinMs(tasks.close(), TASKS_CLOSE_TIMEOUT_MS);
      await store.close();
    },
  };
}

/** How long a starting worker may spend opening its pool's connections before it listens. */
const POOL_WARM_WITHIN_MS = 1_000;

/** How long a closing worker waits for its task queue and processors; running jobs become stalled, not lost. */
const TASKS_CLOSE_TIMEOUT_MS = 3_000;

/** Resolves when `work` settles or after `timeoutMs`, whichever is first; never rejects. */
function withinMs(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

/** The queue (and this worker's processors) when Redis is configured; nothing otherwise. */
async function startTasks(
  config: SutConfig,
  redisUrl: string | undefined,
  store: Store,
  log: Logger,
  workerId: string,
) {
  if (!redisUrl) return { queue: undefined as TaskQueue | undefined, close: async () => undefined };
  const queue = createTaskQueue({ redisUrl, log });
  if (!(await queue.ready(2000))) log.warn('Redis did not answer within 2 s; task routes answer 503 until it does');
  const seed = (config.latencySeed + 104_729 + Number(workerId)) >>> 0;
  const processor =
    config.taskConcurrency > 0
      ? startTaskWorker({
          redisUrl,
          concurrency: config.taskConcurrency,
          work: createReportWork(store, createLatencySampler(config.latency, seed)),
          log,
        })
      : undefined;
  return {
    queue: queue as TaskQueue | undefined,
    async close() {
      await processor?.close();
      await queue.close();
    },
  };
}
