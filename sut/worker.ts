// Composition root of one SUT process: store → latency → cache → app → listening server.
import { createTokenService } from './auth/token.ts';
import { withCache, type CachedStore } from './cache/cached-store.ts';
import { createLatencySampler } from './cache/latency.ts';
import { withLatency } from './cache/latency-store.ts';
import { createApp } from './app.ts';
import type { SutConfig } from './config.ts';
import { createPgStore } from './data/pg-store.ts';
import type { Store } from './data/store.ts';
import type { Logger } from './log.ts';
import { startServer, type RunningServer } from './runtime/server.ts';

export interface Worker extends RunningServer {
  readonly cache: CachedStore | undefined;
}

/** Builds the read path: latency is paid only by reads that get past the cache. */
export function composeStore(base: Store, config: SutConfig, workerId: string): { store: Store; cache?: CachedStore } {
  // Each worker draws its own sequence, still repeatable: seed ⊕ worker id.
  const seed = (config.latencySeed + Number(workerId) * 7919) >>> 0;
  const slow = withLatency(base, createLatencySampler(config.latency, seed));
  if (!config.cacheEnabled) return { store: slow };
  const cache = withCache(slow, { max: config.cacheMax, ttlMs: config.cacheTtlMs });
  return { store: cache, cache };
}

export async function startWorker(config: SutConfig, databaseUrl: string, log: Logger, workerId = '0'): Promise<Worker> {
  const base = createPgStore({ url: databaseUrl, poolMax: config.dbPoolMax, connectionTimeoutMs: config.dbConnectTimeoutMs });
  const { store, cache } = composeStore(base, config, workerId);
  const app = createApp({
    store,
    cache,
    log,
    tokens: createTokenService(config.authSecret, config.tokenTtlSec),
    nodeId: config.nodeId,
    workerId,
    bodyLimitBytes: config.bodyLimitBytes,
    adminToken: config.adminToken,
  });
  let server: RunningServer;
  try {
    server = await startServer(app.fetch, { port: config.port, host: config.host, keepAliveTimeoutMs: config.keepAliveTimeoutMs });
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    ...server,
    cache,
    async close(drainTimeoutMs?: number) {
      await server.close(drainTimeoutMs);
      await store.close();
    },
  };
}
