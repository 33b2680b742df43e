import { describe, expect, it } from 'vitest';
import { parsePrometheusText, readSutMetrics, type CacheCounters } from '../../../harness/monitor/prometheus.ts';

// What the SUT's primary answers on /metrics (two workers), cut to the lines the monitor reads and a few around them.
const SUT_METRICS = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 0.070121

# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p99_seconds gauge
nodejs_eventloop_lag_p99_seconds 0.018178047

# HELP http_request_duration_seconds Request duration by method, route pattern and status
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/users/:id",status="200"} 7
http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/users/:id",status="200"} 9
http_request_duration_seconds_sum{method="GET",route="/api/users/:id",status="200"} 0.0421
# HELP http_requests_in_flight Requests being served now
# TYPE http_requests_in_flight gauge
http_requests_in_flight 3

# TYPE loadlab_cache_hits_total counter
loadlab_cache_hits_total 300
# TYPE loadlab_cache_misses_total counter
loadlab_cache_misses_total 100
# TYPE loadlab_db_pool_total gauge
loadlab_db_pool_total 20
loadlab_db_pool_idle 14
loadlab_db_pool_waiting 0
# TYPE loadlab_queue_jobs gauge
loadlab_queue_jobs{state="waiting"} 120
loadlab_queue_jobs{state="active"} 8
loadlab_queue_jobs{state="completed"} 1000
loadlab_queue_jobs{state="failed"} 0
loadlab_queue_jobs{state="delayed"} 2
# HELP loadlab_metrics_workers Workers asked for metrics, and how many answered in time
loadlab_metrics_workers{answered="true"} 2
loadlab_metrics_workers{answered="false"} 0
`;

describe('parsePrometheusText', () => {
  it.each([
    ['a plain sample', 'up 1', [{ name: 'up', labels: {}, value: 1 }]],
    ['a timestamp after the value', 'up 0.5 1712345678000', [{ name: 'up', labels: {}, value: 0.5 }]],
    ['labels', 'x{a="1",b="two"} 3', [{ name: 'x', labels: { a: '1', b: 'two' }, value: 3 }]],
    ['a trailing comma and spaces', 'x{ a = "1", } 3', [{ name: 'x', labels: { a: '1' }, value: 3 }]],
    [
      'escaped quote, backslash and newline in a label value',
      String.raw`x{path="a\"b\\c\nd"} 1`,
      [{ name: 'x', labels: { path: 'a"b\\c\nd' }, value: 1 }],
    ],
    ['a brace and comma inside a label value', 'x{q="{a,b}"} 2', [{ name: 'x', labels: { q: '{a,b}' }, value: 2 }]],
    ['an exponent', 'x 1.5e-3', [{ name: 'x', labels: {}, value: 0.0015 }]],
    [
      '+Inf and -Inf',
      'a +Inf\nb -Inf',
      [
        { name: 'a', labels: {}, value: Infinity },
        { name: 'b', labels: {}, value: -Infinity },
      ],
    ],
    ['NaN', 'x NaN', [{ name: 'x', labels: {}, value: NaN }]],
    ['a colon in the name', 'job:rate5m 4', [{ name: 'job:rate5m', labels: {}, value: 4 }]],
    [
      'comments, blank lines and CRLF',
      '# HELP x y\r\n\r\n# TYPE x gauge\r\nx 7\r\n',
      [{ name: 'x', labels: {}, value: 7 }],
    ],
    ['a line without a value (skipped)', 'x\ny 1', [{ name: 'y', labels: {}, value: 1 }]],
    ['a value that is not a number (skipped)', 'x abc\ny 2', [{ name: 'y', labels: {}, value: 2 }]],
    ['an unterminated label set (skipped)', 'x{a="1" 1\ny 2', [{ name: 'y', labels: {}, value: 2 }]],
    ['a name glued to its value (skipped)', 'x{a="1"}1', []],
  ])('%s', (_case, text, expected) => {
    expect(parsePrometheusText(text)).toEqual(expected);
  });

  it("reads the SUT's exposition: every sample line, histogram series included", () => {
    const samples = parsePrometheusText(SUT_METRICS);
    expect(samples).toHaveLength(18);
    expect(samples.find((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.le === '+Inf')).toEqual({
      name: 'http_request_duration_seconds_bucket',
      labels: { le: '+Inf', method: 'GET', route: '/api/users/:id', status: '200' },
      value: 9,
    });
  });
});

describe('readSutMetrics', () => {
  it('picks event-loop delay (less the 10 ms sampling interval), in-flight, pool and queue gauges', () => {
    const { figures, cache } = readSutMetrics(parsePrometheusText(SUT_METRICS));
    expect(figures).toEqual({
      sutEventLoopP99Ms: 8.2,
      sutInFlight: 3,
      dbPoolTotal: 20,
      dbPoolIdle: 14,
      dbPoolWaiting: 0,
      queueWaiting: 120,
      queueActive: 8,
      queueDelayed: 2,
    });
    expect(cache).toEqual({ hits: 300, misses: 100, workers: 2 });
  });

  it('leaves out what the SUT does not expose, rather than reporting zero', () => {
    const { figures, cache } = readSutMetrics(
      parsePrometheusText('http_requests_in_flight 0\nnodejs_eventloop_lag_p99_seconds NaN\n'),
    );
    expect(figures).toEqual({ sutInFlight: 0 });
    expect(cache).toBeUndefined();
  });

  it('an event-loop p99 under the sampling interval is 0, not negative', () => {
    const { figures } = readSutMetrics(parsePrometheusText('nodejs_eventloop_lag_p99_seconds 0.009895936\n'));
    expect(figures.sutEventLoopP99Ms).toBe(0);
  });

  const counters = (hits: number, misses: number, answered = 2, late = 0) =>
    parsePrometheusText(
      `loadlab_cache_hits_total ${hits}\nloadlab_cache_misses_total ${misses}\n` +
        `loadlab_metrics_workers{answered="true"} ${answered}\nloadlab_metrics_workers{answered="false"} ${late}\n`,
    );
  const before: CacheCounters = { hits: 300, misses: 100, workers: 2 };

  it.each([
    ['the hits among reads since the previous scrape', counters(390, 110), before, 90],
    ['all hits', counters(350, 100), before, 100],
    ['no previous scrape', counters(390, 110), undefined, undefined],
    ['no reads since (nothing to divide)', counters(300, 100), before, undefined],
    ['counters that went down (a worker was replaced)', counters(250, 120), before, undefined],
    ['a different number of workers answered', counters(390, 110, 1), before, undefined],
    ['a worker did not answer in time', counters(390, 110, 2, 1), before, undefined],
  ])('cache hit rate: %s', (_case, samples, previous, expected) => {
    const { figures } = readSutMetrics(samples, previous);
    expect(figures.cacheHitPct).toBe(expected);
  });
});
