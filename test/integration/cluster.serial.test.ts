// The cluster as users run it: rolling reload under load loses nothing (and a hard kill does, as
// a control), crashed workers come back, SIGTERM drains, /metrics counts exactly what was sent.
import { readdirSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { isAlive, startSutProcess, type SutProcess } from '../support/sut-process.ts';
import { startStream } from '../support/stream.ts';

let sut: SutProcess | undefined;
afterEach(async () => {
  await sut?.stop('SIGTERM');
  sut = undefined;
});

const RATE = 250; // req/s
const randomUser = (n: number) => `/api/users/${((n * 7919) % 1000) + 1}`;
// Every read pays 20 ms and misses the cache, so requests are in flight whenever workers change.
const slowReads = { WORKERS: '2', CACHE: 'off', LATENCY: 'fixed:20' };

describe('cluster', () => {
  it('two rolling reloads (SIGHUP) under a steady keep-alive stream: zero failed requests, all workers replaced', async () => {
    sut = await startSutProcess({ ...slowReads, DATABASE_URL: inject('databaseUrl') });
    const before = sut.workers();
    expect(before).toHaveLength(2);
    const stream = startStream(sut.url, RATE, randomUser);
    await stream.reached(RATE * 2);
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/, 1);
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/, 2);
    await stream.reached(RATE * 10);
    const result = await stream.stop();

    expect(result.sent).toBeGreaterThanOrEqual(RATE * 10);
    // A resend is a GET whose idle keep-alive socket a draining worker closed as it was sent: at most one such
    // race per retired worker and reload (2 workers × 2 reloads).
    expect(result.resent).toBeLessThanOrEqual(2 * 2);
    expect({ failed: result.failed, byError: result.byError, byStatus: result.byStatus }).toEqual({
      failed: 0,
      byError: {},
      byStatus: { 200: result.sent },
    });
    expect(result.ok).toBe(result.sent);
    const after = sut.workers();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect(result.workers.size).toBeGreaterThanOrEqual(4); // old and new worker ids all answered
  }, 60_000);

  it('/metrics scraped back to back through five reloads: every scrape answers 200 and the node lives on', async () => {
    // A scrape asks every worker, retiring ones too; one asked just as its channel closes made the worker emit
    // 'error', which once ended the reload's promise and, unhandled, the primary with every worker.
    sut = await startSutProcess({ WORKERS: '2', DATABASE_URL: inject('databaseUrl') });
    let reloading = true;
    const statuses = new Map<number, number>();
    const scrape = async () => {
      while (reloading) {
        const status = await getOnNewConnection(`${sut!.url}/metrics`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    const scrapers = Array.from({ length: 16 }, scrape);
    for (const n of [1, 2, 3, 4, 5]) {
      sut.child.kill('SIGHUP');
      await sut.waitForLog(/reload: done/, n);
    }
    reloading = false;
    await Promise.all(scrapers);
    expect([...statuses.keys()]).toEqual([200]);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(isAlive(sut.pid)).toBe(true);
    expect(sut.workers()).toHaveLength(2);
  }, 60_000);

  it('control: killing the workers abruptly (SIGKILL) under the same stream does fail requests', async () => {
    sut = await startSutProcess({ ...slowReads, DATABASE_URL: inject('databaseUrl') });
    const stream = startStream(sut.url, RATE, randomUser);
    await stream.reached(RATE);
    const workers = sut.workers();
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    await sut.waitForLog(/died: SIGKILL; replacing it/, workers.length);
    await stream.reached(RATE * 3);
    const result = await stream.stop();
    expect(result.failed).toBeGreaterThan(0);
    expect(result.ok + result.failed).toBe(result.sent);
  }, 60_000);

  it('a SIGKILLed worker is replaced and /ready is 200 again within 2 s', async () => {
    sut = await startSutProcess({ WORKERS: '2', DATABASE_URL: inject('databaseUrl') });
    const [victim] = sut.workers();
    await sut.waitForLog(/worker \d+ \(pid \d+\) ready/, 2);
    process.kill(victim!, 'SIGKILL');
    const killedAt = Date.now();
    await sut.waitForLog(/died: SIGKILL; replacing it/);
    await sut.waitForLog(/worker \d+ \(pid \d+\) ready/, 3, 2000); // the replacement says it is ready
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect((await fetch(`${sut.url}/ready`)).status).toBe(200);
    expect(sut.workers()).toHaveLength(2);
    expect(sut.workers()).not.toContain(victim);
  }, 30_000);

  it('a reload starts each new worker at a lower CPU priority (where it can be put back: Linux, root) and puts every thread back once it is ready', async () => {
    sut = await startSutProcess({ WORKERS: '2', DATABASE_URL: inject('databaseUrl') });
    const lowers = () => sut!.stderr().match(/worker \d+ \(pid \d+\) starts at nice 10 until it is ready/g) ?? [];
    expect(lowers()).toEqual([]); // the first workers start with none serving: nothing to protect
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/);
    const canRestore = process.platform === 'linux' && process.getuid?.() === 0;
    expect(lowers()).toHaveLength(canRestore ? 2 : 0);
    for (const pid of sut.workers()) {
      const nices = threadNices(pid);
      expect(nices.length, `threads of ${pid}`).toBeGreaterThan(1);
      expect(new Set(nices), `nice of every thread of ${pid}`).toEqual(new Set([0]));
    }
  }, 30_000);

  it('STARTING_NICE=0: a reload leaves every priority as it is', async () => {
    sut = await startSutProcess({ WORKERS: '1', STARTING_NICE: '0', DATABASE_URL: inject('databaseUrl') });
    sut.child.kill('SIGHUP');
    await sut.waitForLog(/reload: done/);
    expect(sut.stderr()).not.toMatch(/starts at nice/);
  }, 30_000);

  it('SIGTERM with a slow request in flight: the request completes with 200, then exit 0 with no child left', async () => {
    sut = await startSutProcess({
      WORKERS: '2',
      CACHE: 'off',
      LATENCY: 'fixed:1500',
      DATABASE_URL: inject('databaseUrl'),
    });
    const children = sut.children();
    const slow = fetch(`${sut.url}/api/users/5`);
    // Wait until the server reports the request in flight (not a sleep: the server says so).
    for (;;) {
      const text = await (await fetch(`${sut.url}/metrics`)).text();
      if (/^http_requests_in_flight [1-9]/m.test(text)) break;
    }
    const exitCode = sut.stop('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(5);
    expect(await exitCode).toBe(0);
    sut = undefined;
    expect(children.filter(isAlive)).toEqual([]);
  }, 30_000);

  it('/metrics parses as Prometheus text and counts exactly the requests sent, across workers', async () => {
    sut = await startSutProcess({ WORKERS: '2', DATABASE_URL: inject('databaseUrl') });
    const paths = ['/api/users/1', '/api/users/2', '/api/users/abc', '/api/teams/1', '/health', '/nope'];
    const SENT = 120;
    const workers = new Set<string>();
    for (let i = 0; i < SENT; i++) {
      const res = await fetch(sut.url + paths[i % paths.length], { headers: { connection: 'close' } });
      workers.add(res.headers.get('x-worker-id')!);
      await res.arrayBuffer();
    }
    expect(workers.size).toBe(2);
    const text = await (await fetch(`${sut.url}/metrics`)).text();
    const samples = parsePrometheus(text);
    const counts = samples.filter((s) => s.name === 'http_request_duration_seconds_count');
    expect(counts.reduce((sum, s) => sum + s.value, 0)).toBe(SENT);
    const byRoute = (route: string, status: string) =>
      counts.filter((s) => s.labels.route === route && s.labels.status === status).reduce((sum, s) => sum + s.value, 0);
    expect(byRoute('/api/users/:id', '200')).toBe(40);
    expect(byRoute('/api/users/:id', '400')).toBe(20);
    expect(byRoute('unmatched', '404')).toBe(20);
    expect(samples.find((s) => s.name === 'loadlab_metrics_workers' && s.labels.answered === 'true')?.value).toBe(2);
    for (const name of [
      'loadlab_cache_hits_total',
      'loadlab_db_pool_total',
      'nodejs_eventloop_lag_seconds',
      'process_cpu_user_seconds_total',
    ]) {
      expect(
        samples.some((s) => s.name === name),
        name,
      ).toBe(true);
    }
  }, 30_000);
});

/**
 * A GET on a connection of its own (a reused idle one may be closed by a draining worker as it is sent, the known
 * keep-alive race): its status, or 0 when refused or reset.
 */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpGet(url, { agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
  });
}

/** The nice value of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: every line is a comment, blank, or a sample. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}
