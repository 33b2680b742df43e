// Prometheus metrics of one worker: request durations by route pattern, cache, pool, queue, runtime.
// The per-request part is cheap on purpose: a route binds its series once, so observing a request is a bucket
// increment (no label object, no hashing, no prom-client call); counts the app keeps as plain numbers are read
// at each scrape.
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { createLoadCounts, type LoadCounts } from './overload.ts';

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

/** One route pattern and method, bound once; `observe` files a request by its status. */
export interface RouteRecorder {
  observe(status: number, seconds: number): void;
}

/** What the app records per request. Scrapes of /metrics are not recorded, so counts equal the load sent. */
export interface RequestMetrics {
  /** The series of `route` (the pattern, `/api/users/:id`, or `unmatched`) for `method`. */
  route(method: string, route: string): RouteRecorder;
  /** In flight, shed and rate-limited requests: the app counts them, /metrics reads them. */
  readonly load: LoadCounts;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  readonly requests: RequestMetrics;
}

const DURATION_BUCKETS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createWorkerMetrics(sources: MetricsSources): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = createDurationHistogram(
    'http_request_duration_seconds',
    'Request duration by method, route pattern and status',
  );
  registry.registerMetric(duration as unknown as Metric);
  const load = createLoadCounts();
  registerLoad(registry, load);
  registerCache(registry, sources.cacheStats);
  registerPool(registry, sources.pool);
  registerQueue(registry, sources.queueCounts);
  return { registry, requests: { route: (method, route) => duration.route(method, route), load } };
}

/** Counters can only grow: each scrape adds what was counted since the last one. */
function syncedCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - seen);
      seen = now;
    },
  });
}

function registerLoad(registry: Registry, load: LoadCounts): void {
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being served now',
    registers: [registry],
    collect() {
      this.set(load.inFlight);
    },
  });
  syncedCounter(
    registry,
    'loadlab_shed_total',
    'Requests answered 503 SUT_OVERLOADED by admission control (MAX_IN_FLIGHT)',
    () => load.shed,
  );
  syncedCounter(
    registry,
    'loadlab_rate_limited_total',
    'Requests answered 429 SUT_RATE_LIMITED (RATE_LIMIT_RPS per client)',
    () => load.limited,
  );
}

interface DurationSeries {
  labels: { method: string; route: string; status: string };
  /** Per bucket, not cumulative; the last one is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram in prom-client's JSON shape (so the cluster's AggregatorRegistry merges it like its own), whose
 * observe is a bucket increment on a series the caller bound once per route and status.
 */
function createDurationHistogram(name: string, help: string) {
  const series: DurationSeries[] = [];
  const add = (method: string, route: string, status: number): DurationSeries => {
    const created = {
      labels: { method, route, status: String(status) },
      counts: new Array<number>(DURATION_BUCKETS_SEC.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    series.push(created);
    return created;
  };
  const recorders = new Map<string, RouteRecorder>();
  const route = (method: string, path: string): RouteRecorder => {
    const key = `${method} ${path}`;
    const known = recorders.get(key);
    if (known) return known;
    const byStatus: (DurationSeries | undefined)[] = [];
    const recorder: RouteRecorder = {
      observe(status, seconds) {
        const s = byStatus[status] ?? (byStatus[status] = add(method, path, status));
        let bucket = 0;
        while (bucket < DURATION_BUCKETS_SEC.length && seconds > DURATION_BUCKETS_SEC[bucket]!) bucket++;
        s.counts[bucket]! += 1;
        s.sum += seconds;
        s.count += 1;
      },
    };
    recorders.set(key, recorder);
    return recorder;
  };
  const get = () => ({
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    values: series.flatMap((s) => {
      let cumulative = 0;
      const buckets = s.counts.map((n, i) => ({
        labels: { le: DURATION_BUCKETS_SEC[i] ?? '+Inf', ...s.labels },
        value: (cumulative += n),
        metricName: `${name}_bucket`,
      }));
      return [
        ...buckets,
        { labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` },
        { labels: { ...s.labels }, value: s.count, metricName: `${name}_count` },
      ];
    }),
  });
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    route,
    get: () => Promise.resolve(get()),
    /** Zeroes every series in place: routes keep the recorders they bound. */
    reset() {
      for (const s of series) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    },
  };
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
