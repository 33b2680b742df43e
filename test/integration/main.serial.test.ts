// `npm start` as a user runs it: the real entry point as a child process, bad config, clean exit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, inject, it } from 'vitest';

const MAIN = new URL('../../sut/main.ts', import.meta.url).pathname;

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  listening.catch(() => undefined);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

describe('sut/main.ts', () => {
  it('serves on DATABASE_URL, then SIGTERM drains and exits 0', async () => {
    const run = startMain({ PORT: '0', DATABASE_URL: inject('databaseUrl') });
    const url = await run.listening;
    const res = await fetch(`${url}/api/users/42`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(42);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual([0, null]);
  });

  it.each([
    [{ PORT: 'eighty' }, /^loadlab sut: bad config: PORT="eighty": expected a whole number from 0 to 65535\n$/],
    [{ LATENCY: 'slow' }, /^loadlab sut: bad config: LATENCY="slow": expected none, fixed:<ms>/],
    [{ CACHE: 'maybe', DB_POOL_MAX: '0' }, /DB_POOL_MAX="0".*\n.*CACHE="maybe"|CACHE="maybe".*\n.*DB_POOL_MAX="0"/],
    // Reachable from other machines without a secret of its own: one line, exit 2.
    [
      { HOST: '0.0.0.0', AUTH_SECRET: '' },
      /^loadlab sut: bad config: AUTH_SECRET: required when HOST="0\.0\.0\.0" \(not 127\.0\.0\.1, ::1 or localhost\); e\.g\. AUTH_SECRET=\$\(openssl rand -base64 32\)\n$/,
    ],
    [
      { AUTH_SECRET: 'too-short' },
      /^loadlab sut: bad config: AUTH_SECRET: expected at least 16 characters \(got 9; the value is not shown\)\n$/,
    ],
  ])('bad config %j exits 2 naming the variable', async (env, message) => {
    const run = startMain({ ...env, DATABASE_URL: inject('databaseUrl') });
    const [code] = await run.exited;
    expect(code).toBe(2);
    expect(run.output().stderr).toMatch(message);
  });

  it('a port already in use exits 3 with one line naming it', async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as { port: number }).port;
    try {
      const run = startMain({
        PORT: String(port),
        WORKERS: '1',
        REDIS_URL: 'off',
        DATABASE_URL: inject('databaseUrl'),
      });
      const [code] = await run.exited;
      expect(code).toBe(3);
      expect(run.output().stderr).toMatch(
        new RegExp(`^loadlab sut: port ${port} on 127.0.0.1 is already in use: .*PORT=0 picks one\\)\\n$`, 'm'),
      );
      expect(run.output().stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      holder.close();
    }
  });

  it('without DATABASE_URL exits 3 with one line naming the three ways to get a PostgreSQL', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^loadlab sut: DATABASE_URL is not set: the SUT needs a PostgreSQL; .*`npm start`.*`docker compose up`.*DATABASE_URL=postgres:\/\/.*\n$/,
    );
  });

  it('REDIS_URL=off runs without Redis: task routes 503, the rest serves', async () => {
    const run = startMain({
      PORT: '0',
      WORKERS: '1',
      REDIS_URL: 'off',
      LOG_LEVEL: 'info',
      DATABASE_URL: inject('databaseUrl'),
    });
    const url = await run.listening;
    const task = await fetch(`${url}/api/tasks/1`);
    expect(task.status).toBe(503);
    expect(((await task.json()) as { error: { code: string } }).error.code).toBe('SUT_QUEUE_UNAVAILABLE');
    expect((await fetch(`${url}/api/users/1`)).status).toBe(200);
    expect(run.output().stderr).toContain('no Redis (tasks off)');
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual([0, null]);
  });
});
