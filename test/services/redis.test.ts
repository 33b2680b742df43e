// The Redis service: a spawned redis-server answers, stops without a trace, dies with its parent,
// and a missing binary is a ServiceError naming the three ways to get Redis.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../services/errors.ts';
import { pingRedis, startRedis } from '../../services/redis.ts';

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

/** True when no live process has this pid (a zombie awaiting its reaper counts as gone). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

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
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.port!)).toBe(true);
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
      const { pid, port, dataDir } = JSON.parse(line!) as { pid: number; port: number; dataDir: string };
      expect(await pingRedis(port)).toBe(true);

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
