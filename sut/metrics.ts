// Prometheus metrics of one worker: request durations by route pattern, cache, pool, queue, runtime.
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricsSources {
  cacheStats?: () => { hits: number; misses: number; size: number };
  pool?: PoolLike;
  queueCounts?: () => Promise<{ waiting: number; active: number; completed: number; failed: number; delayed: number }>;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** Times every request except scrapes of /metrics itself, so counts equal the load sent. */
  readonly middleware: MiddlewareHandler;
}

const DURATION_BUCKETS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The matched route pattern (`/api/users/:id`), never the raw path, so label sets stay bounded. */
function routeLabel(c: Parameters<MiddlewareHandler>[0]): string {
  const path = routePath(c, -1);
  return !path || path.endsWith('*') ? 'unmatched' : path;
}

export function createWorkerMetrics(sources: MetricsSources): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS_SEC,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being served now',
    registers: [registry],
  });
  registerCache(registry, sources.cacheStats);
  registerPool(registry, sources.pool);
  registerQueue(registry, sources.queueCounts);

  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.path === '/metrics') return next();
    const startNs = process.hrtime.bigint();
    inFlight.inc();
    try {
      await next();
    } finally {
      inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
      duration.observe({ method: c.req.method, route: routeLabel(c), status: String(c.res.status) }, seconds);
    }
  };
  return { registry, middleware };
}

function registerCache(registry: Registry, stats: MetricsSources['cacheStats']): void {
  if (!stats) return;
  let seen = { hits: 0, misses: 0 };
  // Counters can only grow; each scrape adds what the cache counted since the last one.
  const sync = () => {
    const now = stats();
    hits.inc(now.hits - seen.hits);
    misses.inc(now.misses - seen.misses);
    seen = now;
  };
  const hits = new Counter({
    name: 'loadlab_cache_hits_total',
    help: 'Reads answered from the cache',
    registers: [registry],
    collect: sync,
  });
  const misses = new Counter({
    name: 'loadlab_cache_misses_total',
    help: 'Reads that missed the cache',
    registers: [registry],
    collect: sync,
  });
  new Gauge({
    name: 'loadlab_cache_entries',
    help: 'Entries in the cache',
    registers: [registry],
    collect() {
      this.set(stats().size);
    },
  });
}

function registerPool(registry: Registry, pool: PoolLike | undefined): void {
  if (!pool) return;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('loadlab_db_pool_total', 'Connections open in the pool', () => pool.totalCount);
  gauge('loadlab_db_pool_idle', 'Idle connections in the pool', () => pool.idleCount);
  gauge('loadlab_db_pool_waiting', 'Requests waiting for a pool connection', () => pool.waitingCount);
}

function registerQueue(registry: Registry, counts: MetricsSources['queueCounts']): void {
  if (!counts) return;
  // Every worker sees the same queue, so the cluster view takes the max, not the sum.
  new Gauge({
    name: 'loadlab_queue_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['state'] as const,
    aggregator: 'max',
    registers: [registry],
    async collect() {
      try {
        const c = await counts();
        for (const [state, n] of Object.entries(c)) this.set({ state }, n);
      } catch {
        this.reset(); // Redis down: no numbers rather than stale ones
      }
    },
  });
}
