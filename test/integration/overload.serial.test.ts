// Overload behaviours on the real SUT (cluster entry point, one worker, real PostgreSQL): MAX_IN_FLIGHT sheds
// exactly the requests above it with 503 + Retry-After, RATE_LIMIT_RPS answers a burst's excess with 429, /metrics
// counts both exactly, the probes are never refused, and with both off every request waits its turn.
import { request } from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startSutProcess, type SutProcess } from '../support/sut-process.ts';

let sut: SutProcess | undefined;
afterEach(async () => {
  await sut?.stop('SIGTERM');
  sut = undefined;
});

const start = (env: Record<string, string>) =>
  startSutProcess({ WORKERS: '1', REDIS_URL: 'off', DATABASE_URL: inject('databaseUrl'), ...env });

interface Answer {
  status: number;
  retryAfter: string | undefined;
  code: string | undefined;
}

/** One GET on a connection of its own, so concurrent calls are concurrent at the server. */
function get(path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, sut!.url), { agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const body = JSON.parse(text) as { error?: { code: string } };
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], code: body.error?.code });
      });
    });
    req.end();
  });
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${sut!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

describe('overload behaviours on the real SUT', () => {
  it('MAX_IN_FLIGHT=2: of 20 concurrent slow reads, 2 answer 200 and 18 get 503 SUT_OVERLOADED; /metrics counts the 18', async () => {
    // Every read misses the cache (off) and waits 2 s: the first two are still in flight when the other 18 arrive.
    sut = await start({ MAX_IN_FLIGHT: '2', CACHE: 'off', LATENCY: 'fixed:2000' });
    const reads = Array.from({ length: 20 }, (_, i) => get(`/api/users/${i + 1}`));
    const health = get('/health'); // while the worker is full: never shed
    const answers = await Promise.all(reads);
    expect(count(answers, 200)).toBe(2);
    expect(count(answers, 503)).toBe(18);
    for (const a of answers.filter((x) => x.status === 503))
      expect(a).toEqual({ status: 503, retryAfter: '1', code: 'SUT_OVERLOADED' });
    expect((await health).status).toBe(200);
    expect(await metric('loadlab_shed_total')).toBe(18);
    const byStatus = (status: number) =>
      metric('http_request_duration_seconds_count', `{method="GET",route="/api/users/:id",status="${status}"}`);
    expect(await byStatus(503)).toBe(18);
    expect(await byStatus(200)).toBe(2);
    expect((await get('/health')).status).toBe(200); // the SUT is still up
    expect(await metric('http_requests_in_flight')).toBe(0);
  }, 60_000);

  it('RATE_LIMIT_RPS=5: a burst of 20 from one client gets 429 SUT_RATE_LIMITED with Retry-After beyond the first 5', async () => {
    sut = await start({ RATE_LIMIT_RPS: '5', CACHE: 'on', LATENCY: 'none' });
    const startedMs = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`/api/users/${i + 1}`)));
    const refilled = Math.floor(((performance.now() - startedMs) * 5) / 1000);
    const limited = answers.filter((a) => a.status === 429);
    expect(count(answers, 200)).toBeGreaterThanOrEqual(5);
    expect(count(answers, 200)).toBeLessThanOrEqual(5 + refilled);
    expect(count(answers, 200) + limited.length).toBe(20);
    for (const a of limited) {
      expect(a.code).toBe('SUT_RATE_LIMITED');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(await metric('loadlab_rate_limited_total')).toBe(limited.length);
    const probes = await Promise.all(Array.from({ length: 20 }, () => get('/health')));
    expect(count(probes, 200)).toBe(20); // never limited
  }, 60_000);

  it('both off (the default): 20 concurrent slow reads all answer 200, none is shed or limited', async () => {
    sut = await start({ CACHE: 'off', LATENCY: 'fixed:200' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(`/api/users/${i + 1}`)));
    expect(count(answers, 200)).toBe(20);
    expect(await metric('loadlab_shed_total')).toBe(0);
    expect(await metric('loadlab_rate_limited_total')).toBe(0);
  }, 60_000);
});
