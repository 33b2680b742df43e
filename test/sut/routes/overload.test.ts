// Admission control and the rate limit in-process, on a store whose reads wait until the test lets them go:
// exactly who is let in, who gets 503 or 429 (with Retry-After), what /metrics counts, and that both are off by default.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../sut/app.ts';
import { createTokenService } from '../../../sut/auth/token.ts';
import { bindAll } from '../../../sut/cache/latency-store.ts';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import type { Store } from '../../../sut/data/store.ts';
import { silentLogger } from '../../../sut/log.ts';
import { createWorkerMetrics } from '../../../sut/metrics.ts';
import { TEST_SECRET } from '../helpers.ts';

/** A store whose getUser answers only once `release()` is called. */
function gatedStore(): { store: Store; release: () => void } {
  const inner = createMemoryStore({ users: 20 });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const store: Store = { ...bindAll(inner), getUser: (id, ctx) => gate.then(() => inner.getUser(id, ctx)) };
  return { store, release };
}

function appWith(store: Store, overload: { maxInFlight?: number; rateLimitRps?: number }) {
  const metrics = createWorkerMetrics({});
  const app = createApp({
    store,
    log: silentLogger,
    tokens: createTokenService(TEST_SECRET, 3600),
    nodeId: 'test-node',
    workerId: '3',
    bodyLimitBytes: 4096,
    requestMetrics: metrics.requests,
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    ...overload,
  });
  const metric = async (name: string) =>
    Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await metrics.registry.metrics())?.[1]);
  return { app, load: metrics.requests.load, metric };
}

async function answer(res: Response | Promise<Response>) {
  const r = await res;
  return { status: r.status, headers: r.headers, body: (await r.json()) as { error?: { code: string } } };
}

describe('MAX_IN_FLIGHT (admission control)', () => {
  it('above the limit answers 503 SUT_OVERLOADED with Retry-After: 1 at once; the probes still answer', async () => {
    const { store, release } = gatedStore();
    const { app, load, metric } = appWith(store, { maxInFlight: 2 });
    // app.request runs the route synchronously up to the store's await: both are in flight when it returns.
    const admitted = [app.request('/api/users/1'), app.request('/api/users/2')];
    expect(load.inFlight).toBe(2);

    const shed = await answer(app.request('/api/users/3'));
    expect(shed.status).toBe(503);
    expect(shed.body.error?.code).toBe('SUT_OVERLOADED');
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.headers.get('x-node-id')).toBe('test-node');
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/ready')).status).toBe(200);
    expect((await app.request('/metrics')).status).toBe(200);
    expect(await metric('loadlab_shed_total')).toBe(1);
    expect(await metric('http_requests_in_flight')).toBe(2);

    release();
    expect((await Promise.all(admitted.map(answer))).map((a) => a.status)).toEqual([200, 200]);
    expect(load.inFlight).toBe(0);
    expect((await app.request('/api/users/4')).status).toBe(200);
    expect((await app.request('/api/users/999')).status).toBe(404); // an error lets go of its place too
    expect(load).toEqual({ inFlight: 0, shed: 1, limited: 0 });
  });

  it('of 20 concurrent slow reads with MAX_IN_FLIGHT=2, lets exactly 2 in and sheds 18', async () => {
    const { store, release } = gatedStore();
    const { app, metric } = appWith(store, { maxInFlight: 2 });
    const all = Array.from({ length: 20 }, (_, i) => app.request(`/api/users/${i + 1}`));
    release();
    const statuses = (await Promise.all(all.map(answer))).map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(18);
    expect(await metric('loadlab_shed_total')).toBe(18);
  });
});

describe('RATE_LIMIT_RPS', () => {
  it('a burst of 20 from one client: the first 5 (and any token refilled meanwhile) pass, the rest get 429', async () => {
    const { app, load, metric } = appWith(createMemoryStore({ users: 20 }), { rateLimitRps: 5 });
    const startedMs = performance.now();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await answer(app.request(`/api/users/${i + 1}`)));
    const refilled = Math.floor(((performance.now() - startedMs) * 5) / 1000);
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.slice(0, 5).every((a) => a.status === 200)).toBe(true);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(ok).toBeLessThanOrEqual(5 + refilled);
    expect(ok + limited.length).toBe(20);
    for (const a of limited) {
      expect(a.body.error?.code).toBe('SUT_RATE_LIMITED');
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(load.limited).toBe(limited.length);
    expect(await metric('loadlab_rate_limited_total')).toBe(limited.length);
    for (let i = 0; i < 20; i++) expect((await app.request('/health')).status).toBe(200);
  });
});

describe('both off (the default)', () => {
  it('20 concurrent slow reads all wait and all answer 200; nothing is shed or limited', async () => {
    const { store, release } = gatedStore();
    const { app, load, metric } = appWith(store, {});
    const all = Array.from({ length: 20 }, (_, i) => app.request(`/api/users/${i + 1}`));
    expect(load.inFlight).toBe(20);
    release();
    expect((await Promise.all(all.map(answer))).every((a) => a.status === 200)).toBe(true);
    expect(await metric('loadlab_shed_total')).toBe(0);
    expect(await metric('loadlab_rate_limited_total')).toBe(0);
  });
});
