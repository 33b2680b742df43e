// The embedded PostgreSQL service: first start initialises, later starts reuse the folder, stop
// leaves nothing running, and stale or contested folders give clear, typed errors.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../services/errors.ts';
import { hydrateSymlinks, prepareBinaries } from '../../services/postgres-binaries.ts';
import { isTraversableBy, resolveDataRoot } from '../../services/postgres-dirs.ts';
import { isAlive as isProcessAlive } from '../../services/spawn.ts';
import { dataRoot, startPostgres, type PostgresHandle } from '../../services/postgres.ts';

const dataDir = join(dataRoot(), `postgres-svc-test-${randomBytes(4).toString('hex')}`);
const handles: PostgresHandle[] = [];

async function start(): Promise<PostgresHandle> {
  const handle = await startPostgres({ dataDir, databaseUrl: '' });
  handles.push(handle);
  return handle;
}

async function queryOne(url: string, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

/** Live processes whose command line names the data folder (the postmaster does). */
async function processesOn(folder: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(folder)) found.push(Number(pid));
  }
  return found;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;

afterAll(async () => {
  for (const handle of handles) await handle.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(`${dataDir}.lock`, { force: true });
  await rm(`${dataDir}.password`, { force: true });
});

describe('startPostgres (embedded)', () => {
  it('initialises a fresh folder and serves queries', async () => {
    const db = await start();
    expect(db).toMatchObject({ embedded: true, initialised: true, dataDir });
    expect(await queryOne(db.url, 'SELECT current_database() AS db, 1 + 1 AS two')).toEqual({ db: 'loadlab', two: 2 });
  });

  it('refuses a second owner while the folder is in use', async () => {
    await expect(startPostgres({ dataDir, databaseUrl: '' })).rejects.toMatchObject({ code: 'LOADLAB_SERVICE_BUSY' });
  });

  it('stops: no process left on the folder, port free', async () => {
    const db = handles.at(-1)!;
    await db.stop();
    expect(isProcessAlive(db.pid!)).toBe(false);
    expect(await processesOn(dataDir)).toEqual([]);
    expect(await portIsFree(db.port!)).toBe(true);
    await db.stop(); // idempotent
  });

  it('reuses the folder on a later start, without initdb, quickly', async () => {
    const startedMs = performance.now();
    const db = await start();
    const elapsedMs = performance.now() - startedMs;
    expect(db.initialised).toBe(false);
    expect(elapsedMs).toBeLessThan(5_000); // the spec's bound for a reused folder, far above the usual ~0.1 s
    expect(await queryOne(db.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    await db.stop();
  });

  it('takes over from an owner that died, stopping the postgres it left running', async () => {
    const orphaned = await start();
    await writeFile(`${dataDir}.lock`, `${deadPid()}\n`); // as if the owning process had been killed
    const db = await start();
    expect(isProcessAlive(orphaned.pid!)).toBe(false);
    expect(await queryOne(db.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    await db.stop();
    await orphaned.stop(); // harmless: already gone
  });

  it('stops the server when its owner is killed with SIGKILL (watchdog)', async () => {
    const fixture = new URL('./fixtures/hold-postgres.ts', import.meta.url).pathname;
    const owner = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: owner.stdout }), 'line')) as [string];
    const { pid, port } = JSON.parse(line) as { pid: number; port: number };
    expect(isProcessAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    for (let waitedMs = 0; isProcessAlive(pid) && waitedMs < 15_000; waitedMs += 50) await sleep(50);
    expect(isProcessAlive(pid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    const db = await start(); // the dead owner's lock is taken over
    await db.stop();
  });

  it('ignores a postmaster.pid left by a process that is gone', async () => {
    await writeFile(join(dataDir, 'postmaster.pid'), `${deadPid()}\n${dataDir}\n`);
    const db = await start();
    expect(await queryOne(db.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    await db.stop();
  });

  it('waits for an owner that said it is stopping, instead of failing "in use"', async () => {
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await writeFile(`${dataDir}.lock`, `${owner.pid}\n${new Date().toISOString()}\nstopping\n`);
    const ownerGone = once(owner, 'exit');
    setTimeout(() => owner.kill('SIGKILL'), 300); // as the stopping owner finishing its shutdown
    const db = await start();
    await ownerGone;
    expect(await queryOne(db.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    await db.stop();
  });

  it('sends postgres log lines to the callback', async () => {
    const lines: string[] = [];
    const db = await startPostgres({ dataDir, databaseUrl: '', onLog: (line) => lines.push(line) });
    handles.push(db);
    await db.stop();
    expect(lines.some((line) => line.includes('ready to accept connections'))).toBe(true);
  });
});

describe('startPostgres failures', () => {
  it('an unreachable DATABASE_URL is a LOADLAB_SERVICE_MISSING error naming the three ways out', async () => {
    const error = await startPostgres({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/x' }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'LOADLAB_SERVICE_MISSING', exitCode: 3 });
    const { message } = error as ServiceError;
    expect(message).toMatch(/PostgreSQL is missing: cannot reach .*127\.0\.0\.1:1.*ECONNREFUSED/);
    expect(message).toMatch(/package manager/);
    expect(message).toMatch(/docker compose up -d postgres/);
    expect(message).toMatch(/DATABASE_URL=/);
    expect(message).not.toContain('secret');
  });

  it('missing binaries are a LOADLAB_SERVICE_MISSING error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'loadlab-nopg-'));
    const attempt = prepareBinaries({ packageRoot: empty, copyRoot: empty, log: () => undefined });
    await expect(attempt).rejects.toMatchObject({ code: 'LOADLAB_SERVICE_MISSING' });
    await rm(empty, { recursive: true });
  });
});

describe('binaries and folders', () => {
  it('restores library links that an unapproved install script did not create', async () => {
    const root = await mkdtemp(join(tmpdir(), 'loadlab-links-'));
    await mkdir(join(root, 'native', 'lib'), { recursive: true });
    await writeFile(join(root, 'native', 'lib', 'libpq.so.5.18'), 'lib');
    const links = [{ source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' }];
    await writeFile(join(root, 'native', 'pg-symlinks.json'), JSON.stringify(links));
    expect(await hydrateSymlinks(root)).toBe(1);
    expect(await readFile(join(root, 'native', 'lib', 'libpq.so.5'), 'utf8')).toBe('lib');
    expect(await hydrateSymlinks(root)).toBe(0);
    await rm(root, { recursive: true });
  });

  it('sees that another user cannot enter a private folder', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'loadlab-private-'));
    const stranger = { uid: 65_432, gid: 65_432 };
    expect(isTraversableBy(join(privateDir, 'postgres'), stranger)).toBe(false); // mkdtemp makes it 0700
    expect(isTraversableBy(tmpdir(), stranger)).toBe(true);
    await rm(privateDir, { recursive: true });
  });

  it('as root, rejects a LOADLAB_DATA_DIR the postgres user cannot reach', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'loadlab-private-'));
    const stranger = { uid: 65_432, gid: 65_432 };
    expect(() => resolveDataRoot({ LOADLAB_DATA_DIR: join(privateDir, 'data') }, stranger)).toThrow(/not reachable/);
    await rm(privateDir, { recursive: true });
  });
});
