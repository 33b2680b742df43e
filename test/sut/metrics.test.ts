// A worker's request metrics: a route's recorder files requests by status into prom-client's histogram shape, the
// cluster's aggregation sums them across workers, and the load counts are read at each scrape.
import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../sut/metrics.ts';

const lines = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));

describe('createWorkerMetrics', () => {
  it('files each request in its bucket, by method, route and status', async () => {
    const { registry, requests } = createWorkerMetrics({});
    const users = requests.route('GET', '/api/users/:id');
    users.observe(200, 0.0004);
    users.observe(200, 0.003);
    users.observe(404, 0.02);
    expect(requests.route('GET', '/api/users/:id')).toBe(users); // bound once
    const text = await registry.metrics();
    const ok = '{le="0.001",method="GET",route="/api/users/:id",status="200"}';
    expect(lines(text, 'http_request_duration_seconds_bucket' + ok)).toEqual([
      `http_request_duration_seconds_bucket${ok} 1`,
    ]);
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/users/:id",status="200"} 2',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/users/:id",status="200"} 2',
    );
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/api/users/:id",status="404"} 1');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.01",method="GET",route="/api/users/:id",status="404"} 0',
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_sum\{method="GET",route="\/api\/users\/:id",status="200"\} 0\.0034/m,
    );
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('reads in-flight, shed and rate-limited counts at each scrape; the counters only grow', async () => {
    const { registry, requests } = createWorkerMetrics({});
    requests.load.inFlight = 3;
    requests.load.shed = 7;
    requests.load.limited = 2;
    let text = await registry.metrics();
    expect(text).toMatch(/^http_requests_in_flight 3$/m);
    expect(text).toMatch(/^loadlab_shed_total 7$/m);
    expect(text).toMatch(/^loadlab_rate_limited_total 2$/m);
    requests.load.inFlight = 0;
    requests.load.shed = 9;
    text = await registry.metrics();
    expect(text).toMatch(/^http_requests_in_flight 0$/m);
    expect(text).toMatch(/^loadlab_shed_total 9$/m);
  });

  it('sums across workers the way the cluster primary merges them', async () => {
    const workers = [createWorkerMetrics({}), createWorkerMetrics({})];
    workers[0]!.requests.route('GET', '/health').observe(200, 0.0001);
    workers[1]!.requests.route('GET', '/health').observe(200, 0.0002);
    workers[1]!.requests.route('GET', '/health').observe(503, 0.0002);
    workers[0]!.requests.load.shed = 4;
    workers[1]!.requests.load.shed = 5;
    const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((w) => w.registry.getMetricsAsJSON())));
    const text = await merged.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/health",status="200"} 2');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/health",status="503"} 1');
    expect(text).toMatch(/^loadlab_shed_total 9$/m);
  });

  it('resets in place: a route keeps the recorder it bound', async () => {
    const { registry, requests } = createWorkerMetrics({});
    const health = requests.route('GET', '/health');
    health.observe(200, 0.0001);
    registry.resetMetrics();
    health.observe(200, 0.0001);
    expect(await registry.metrics()).toContain(
      'http_request_duration_seconds_count{method="GET",route="/health",status="200"} 1',
    );
  });
});
