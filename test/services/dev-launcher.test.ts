// `npm start` as a user runs it: the launcher in its own process group, bad requests, then TERM to
// the whole group (as a terminal's Ctrl-C) — ten times; each start is ready quickly, each stop is
// quick and leaves no process and no port. Also: a second Ctrl-C, and a start during a stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dataRoot } from '../../services/postgres.ts';
import { commandName, descendants, groupMembers, isAlive } from '../../services/spawn.ts';
import { refused } from '../support/net.ts';

const LAUNCHER = fileURLToPath(new URL('../../services/dev-launcher.ts', import.meta.url));
// Its own data root, reused across runs (initialised and seeded on the first run only).
const DATA_DIR = join(dataRoot(), 'launcher-test');
const FIRST_READY_MS = 180_000; // a fresh folder: initdb and a 100k-user seed
const READY_MS = 30_000;
const STOP_MS = 5_000;
const CYCLES = 10;

interface Launched {
  child: ChildProcess;
  url: Promise<string>;
  output(): string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
});

/** Spawns the launcher as `npm start` (exec) leaves it: detached, the leader of its own group. */
function launch(env: Record<string, string> = {}): Launched {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', LAUNCHER], {
    env: { ...base, PORT: '0', WORKERS: '1', LOADLAB_DATA_DIR: DATA_DIR, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  let text = '';
  child.stdout.on('data', (d) => (text += d));
  child.stderr.on('data', (d) => (text += d));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    void exit.then(([code]) => reject(new Error(`launcher exited ${code} before listening:\n${text}`)));
  });
  url.catch(() => undefined);
  return { child, url, exit, output: () => text };
}

async function withinMs<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: over ${timeoutMs} ms`)), timeoutMs)),
  );
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Returns once the SUT reports a request in flight (the server says so: no sleep). */
async function inFlight(url: string): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (/^http_requests_in_flight [1-9]/m.test(text)) return;
  }
}

async function sendBadInputs(url: string): Promise<number[]> {
  const json = { 'content-type': 'application/json' };
  const login = `${url}/api/auth/login`;
  const statuses = [
    (await fetch(login, { method: 'POST', headers: json, body: '{not json' })).status,
    (await fetch(login, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status,
    await fetch(login, { method: 'POST', headers: json, body: Buffer.alloc(20 * 1024 * 1024, 97) }).then(
      (r) => r.status,
      () => 413,
    ),
    (await fetch(`${url}/no/such/route`)).status,
  ];
  return statuses;
}

describe('npm start (services/dev-launcher.ts)', () => {
  it(
    `${CYCLES} cycles of start → bad inputs → TERM to the group: ready quickly, stopped within ${STOP_MS} ms, nothing left`,
    async () => {
      const timings: string[] = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const startedMs = performance.now();
        const run = launch();
        const url = await withinMs(run.url, cycle === 1 ? FIRST_READY_MS : READY_MS, `cycle ${cycle} start`);
        const readyMs = performance.now() - startedMs;
        expect(await sendBadInputs(url)).toEqual([400, 415, 413, 404]);
        const pids = [run.child.pid!, ...descendants(run.child.pid!)];
        expect(pids.length).toBeGreaterThanOrEqual(4); // launcher, SUT primary, worker, postgres (+ redis)
        const stopAtMs = performance.now();
        process.kill(-run.child.pid!, 'SIGTERM');
        const [code] = await withinMs(run.exit, STOP_MS, `cycle ${cycle} stop`);
        const stopMs = performance.now() - stopAtMs;
        timings.push(`cycle ${cycle}: ready ${Math.round(readyMs)} ms, stopped ${Math.round(stopMs)} ms`);
        expect(code, run.output()).toBe(0);
        expect(pids.filter(isAlive), run.output()).toEqual([]);
        expect(groupMembers(run.child.pid!)).toEqual([]);
        expect(await refused(url)).toBe(true);
      }
      console.log(timings.join('\n'));
    },
    CYCLES * 60_000 + FIRST_READY_MS,
  );

  it('a second Ctrl-C while the SUT drains kills what is left at once', async () => {
    const run = launch({ CACHE: 'off', LATENCY: 'fixed:20000', DRAIN_TIMEOUT_MS: '30000' });
    const url = await withinMs(run.url, READY_MS, 'start');
    const pids = [run.child.pid!, ...descendants(run.child.pid!)];
    void fetch(`${url}/api/users/1`).catch(() => undefined); // in flight for 20 s: the drain would wait
    await inFlight(url);
    process.kill(-run.child.pid!, 'SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 700)); // a human's second keypress, not npm's relay
    const secondAtMs = performance.now();
    process.kill(-run.child.pid!, 'SIGINT');
    const [code] = await withinMs(run.exit, 3_000, 'second Ctrl-C');
    expect(performance.now() - secondAtMs).toBeLessThan(3_000);
    expect(code).toBe(130);
    // The services' parent-death guards (sh) end on their own once the launcher is gone: allow them a moment.
    for (const deadline = Date.now() + 2_000; Date.now() < deadline && pids.some(isAlive);) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pids.filter(isAlive).map((pid) => `${pid} ${commandName(pid)}`)).toEqual([]);
  }, 60_000);

  it('a start while the previous one is stopping waits for its data folder instead of failing', async () => {
    const first = launch({ CACHE: 'off', LATENCY: 'fixed:3000' });
    const url = await withinMs(first.url, READY_MS, 'first start');
    const slow = fetch(`${url}/api/users/1`); // keeps the first one draining for ~3 s
    await inFlight(url);
    process.kill(-first.child.pid!, 'SIGTERM');
    const second = launch();
    await withinMs(second.url, READY_MS, 'second start');
    expect((await slow).status).toBe(200);
    expect((await first.exit)[0]).toBe(0);
    expect(second.output()).toMatch(/waiting up to 15 s for process \d+, which is stopping, to release/);
    process.kill(-second.child.pid!, 'SIGTERM');
    expect((await withinMs(second.exit, STOP_MS, 'second stop'))[0]).toBe(0);
  }, 120_000);
});
