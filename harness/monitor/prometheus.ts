// Reads the Prometheus text format (pure) and picks out the SUT's figures the monitor records each second:
// event-loop delay, pool total/idle/waiting, requests in flight, cache hit rate, queue depth. What the SUT does
// not expose stays absent, never zero.
import type { MonitorSample } from '../report/model.ts';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Every sample line of a Prometheus text exposition; comments, blank and malformed lines are skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample) out.push(sample);
  }
  return out;
}

function parseLine(line: string): PromSample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (!parsed) return undefined;
    labels = parsed.labels;
    rest = rest.slice(parsed.length);
  }
  if (!/^\s/.test(rest)) return undefined;
  const value = parseValue(rest.trim().split(/\s+/)[0] ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

/** `{a="1",b="x\"y"}` from the start of `text`: the labels and how many characters they took. */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | undefined {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!name) return undefined;
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=') return undefined;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] !== '"') return undefined;
    i++;
    let value = '';
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] !== '\\') {
        value += text[i];
        continue;
      }
      i++;
      value += text[i] === 'n' ? '\n' : (text[i] ?? '');
    }
    if (text[i] !== '"') return undefined;
    i++;
    labels[name] = value;
  }
}

function parseValue(text: string): number | undefined {
  if (/^[+]?Inf$/.test(text)) return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** The SUT's cumulative cache counters at one scrape, kept to turn the next scrape into a per-second rate. */
export interface CacheCounters {
  hits: number;
  misses: number;
  /** Workers that answered the primary's collection (loadlab_metrics_workers{answered="true"}). */
  workers?: number;
}

export type SutMetricFigures = Pick<
  MonitorSample,
  | 'sutEventLoopP99Ms'
  | 'sutInFlight'
  | 'dbPoolTotal'
  | 'dbPoolIdle'
  | 'dbPoolWaiting'
  | 'cacheHitPct'
  | 'queueWaiting'
  | 'queueActive'
  | 'queueDelayed'
>;

/** prom-client's event-loop histogram samples every 10 ms and records the whole interval, as Node's does. */
const PROM_CLIENT_LOOP_RESOLUTION_MS = 10;

/**
 * The monitor's figures from one scrape (pure). The SUT's primary merges its workers' metrics: gauges are summed,
 * the event-loop p99 is the workers' mean (prom-client's aggregator), the queue gauge the max. The cache hit rate is
 * hits / (hits + misses) between this scrape and `previous`; it is absent on a first scrape, when nothing was read,
 * and when the counters cannot be compared (they went down, or a different number of workers answered: a worker
 * was replaced or did not answer in time).
 */
export function readSutMetrics(
  samples: PromSample[],
  previous?: CacheCounters,
): { figures: SutMetricFigures; cache?: CacheCounters } {
  const find = (name: string, labels: Record<string, string> = {}): number | undefined => {
    const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    return s && Number.isFinite(s.value) ? s.value : undefined;
  };
  const figures: SutMetricFigures = {};
  const put = <K extends keyof SutMetricFigures>(key: K, value: number | undefined) => {
    if (value !== undefined) figures[key] = value;
  };
  const lagSec = find('nodejs_eventloop_lag_p99_seconds');
  put(
    'sutEventLoopP99Ms',
    lagSec === undefined ? undefined : round1(Math.max(0, lagSec * 1000 - PROM_CLIENT_LOOP_RESOLUTION_MS)),
  );
  put('sutInFlight', find('http_requests_in_flight'));
  put('dbPoolTotal', find('loadlab_db_pool_total'));
  put('dbPoolIdle', find('loadlab_db_pool_idle'));
  put('dbPoolWaiting', find('loadlab_db_pool_waiting'));
  put('queueWaiting', find('loadlab_queue_jobs', { state: 'waiting' }));
  put('queueActive', find('loadlab_queue_jobs', { state: 'active' }));
  put('queueDelayed', find('loadlab_queue_jobs', { state: 'delayed' }));

  const hits = find('loadlab_cache_hits_total');
  const misses = find('loadlab_cache_misses_total');
  if (hits === undefined || misses === undefined) return { figures };
  const workers = find('loadlab_metrics_workers', { answered: 'true' });
  const missing = find('loadlab_metrics_workers', { answered: 'false' }) ?? 0;
  const cache: CacheCounters = { hits, misses, ...(workers !== undefined ? { workers } : {}) };
  if (previous && missing === 0 && previous.workers === workers) {
    const dHits = hits - previous.hits;
    const dMisses = misses - previous.misses;
    if (dHits >= 0 && dMisses >= 0 && dHits + dMisses > 0)
      put('cacheHitPct', round1((dHits / (dHits + dMisses)) * 100));
  }
  return { figures, cache };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
