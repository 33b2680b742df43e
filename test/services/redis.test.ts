// The Redis service: a spawned redis-server answers only with its random password, stops without a
// trace, dies with its parent, and a missing binary is a ServiceError naming the three ways to get Redis.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../services/errors.ts';
import { pingRedis, startEmbeddedRedis, startRedis } from '../../services/redis.ts';
import { processGone } from '../support/process.ts';

const hasRedisServer = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// Off CI a machine without redis-server skips these (global-redis prints why); on CI it must have one.
const needsBinary = !hasRedisServer && process.env.CI !== 'true';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function pollUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe.skipIf(needsBinary)('startRedis with redis-server from PATH', () => {
  it('answers PING, and stop() ends the process, frees the port and removes the temp folder', async () => {
    const redis = await startRedis({ env: { PATH: process.env.PATH } });
    expect(redis.embedded).toBe(true);
    expect(redis.password).toMatch(/^[0-9a-f]{48}$/);
    expect(redis.url).toBe(`redis://:${redis.password}@127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.port!, '127.0.0.1', 500, redis.password)).toBe(true);
    expect(processGone(redis.pid!)).toBe(false);
    expect(existsSync(redis.dataDir!)).toBe(true);

    await redis.stop();
    expect(processGone(redis.pid!)).toBe(true);
    expect(await pingRedis(redis.port!)).toBe(false);
    expect(await portIsFree(redis.port!)).toBe(true);
    expect(existsSync(redis.dataDir!)).toBe(false);
    await redis.stop(); // a second stop is harmless
  });

  it('takes the server and its folder down when its parent is killed with SIGKILL (no orphan)', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'start-redis.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      const [line] = await Promise.race([
        createInterface({ input: parent.stdout })
          [Symbol.asyncIterator]()
          .next()
          .then((r) => [r.value as string]),
        exited.then(() => ['']),
      ]);
      const { pid, port, dataDir, password } = JSON.parse(line!) as {
        pid: number;
        port: number;
        dataDir: string;
        password: string;
      };
      expect(await pingRedis(port, '127.0.0.1', 500, password)).toBe(true);

      parent.kill('SIGKILL');
      await exited;
      expect(await pollUntil(() => processGone(pid), 5_000)).toBe(true);
      expect(await pollUntil(async () => !(await pingRedis(port)), 5_000)).toBe(true);
      expect(await pollUntil(() => !existsSync(dataDir), 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe.skipIf(needsBinary)('the embedded redis-server requires its password', () => {
  /** Connects once (no retries) and returns what Redis answered: '' when the connection is ready. */
  async function refusal(url: string, clients: Redis[]): Promise<string> {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    clients.push(client);
    const errors: string[] = [];
    client.on('error', (err: Error) => errors.push(err.message));
    await client.connect().catch((err: Error) => errors.push(err.message));
    return errors.join('; ');
  }

  it('refuses a client without the password (NOAUTH) or with a wrong one, and serves one with the URL', async () => {
    const redis = await startRedis({ env: { PATH: process.env.PATH } });
    const clients: Redis[] = [];
    try {
      expect(await refusal(`redis://127.0.0.1:${redis.port}`, clients)).toMatch(/NOAUTH/);
      expect(await refusal(`redis://:wrong-password@127.0.0.1:${redis.port}`, clients)).toMatch(/WRONGPASS/);
      expect(await refusal(redis.url, clients)).toBe('');
      const right = clients.at(-1)!;
      expect(await right.set('k', 'v')).toBe('OK');
      expect(await right.get('k')).toBe('v');
      expect(await pingRedis(redis.port!)).toBe(false); // a raw PING without AUTH is refused too
    } finally {
      for (const client of clients) client.disconnect();
      await redis.stop();
    }
  });

  it('keeps the password off the command line, in a 0600 file in its 0700 folder', async () => {
    const redis = await startRedis({ env: { PATH: process.env.PATH } });
    try {
      const cmdline = readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8');
      expect(cmdline).not.toContain(redis.password);
      expect(statSync(redis.dataDir!).mode & 0o777).toBe(0o700);
      expect(statSync(join(redis.dataDir!, 'redis.conf')).mode & 0o777).toBe(0o600);
    } finally {
      await redis.stop();
    }
  });

  it('restarts with a given password, so clients holding the URL reconnect', async () => {
    const first = await startRedis({ env: { PATH: process.env.PATH } });
    const port = first.port!;
    await first.stop();
    const again = await startEmbeddedRedis({ env: { PATH: process.env.PATH }, port, password: first.password });
    try {
      expect(again.url).toBe(first.url);
      expect(await pingRedis(port, '127.0.0.1', 500, first.password)).toBe(true);
    } finally {
      await again.stop();
    }
  });
});

describe('startRedis without redis-server', () => {
  it('throws a ServiceError that names the three ways to get Redis', async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'loadlab-no-redis-'));
    try {
      const error = await startRedis({ env: { PATH: emptyPath } }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ServiceError);
      const serviceError = error as ServiceError;
      expect(serviceError.code).toBe('LOADLAB_SERVICE_MISSING');
      expect(serviceError.exitCode).toBe(3);
      expect(serviceError.message).toContain('redis-server is not on PATH');
      expect(serviceError.message).toContain('apt-get install redis-server');
      expect(serviceError.message).toContain('docker compose up -d redis');
      expect(serviceError.message).toContain('REDIS_URL=');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });

  it('uses REDIS_URL as given, without starting anything', async () => {
    const redis = await startRedis({ env: { PATH: '', REDIS_URL: 'redis://127.0.0.1:1' } });
    expect(redis).toMatchObject({ url: 'redis://127.0.0.1:1', embedded: false });
    await redis.stop();
  });
});
