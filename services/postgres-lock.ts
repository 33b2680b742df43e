// One owner per data folder: a lock file names the live process using it (and says when it is
// stopping, so a new start waits for it), and a postmaster left behind by a dead owner (or a stale
// postmaster.pid) is cleaned up before starting.
import { readFileSync } from 'node:fs';
import { appendFile, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from './errors.ts';
import { isAlive } from './process-tree.ts';

const POLL_MS = 50;

/** Returns 'postgres' | 'other' | 'unknown' for a live pid. */
function processKind(pid: number): 'postgres' | 'other' | 'unknown' {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? 'postgres' : 'other';
  } catch {
    return 'unknown';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(POLL_MS)) {
    if (!isAlive(pid)) return true;
  }
  return !isAlive(pid);
}

const STOPPING = 'stopping';
/** How long a start waits for an owner that said it is stopping (its SUT drains first). */
const STOPPING_WAIT_MS = 15_000;

async function readOwner(lockFile: string): Promise<{ pid: number; stopping: boolean }> {
  const lines = (await readFile(lockFile, 'utf8').catch(() => '')).split('\n');
  return { pid: Number.parseInt(lines[0] ?? '', 10), stopping: lines.includes(STOPPING) };
}

async function readOwnerPid(lockFile: string): Promise<number> {
  return (await readOwner(lockFile)).pid;
}

/** Marks our lock on `dataDir` as "stopping": a start meanwhile waits for it instead of failing busy. */
export async function markLockStopping(dataDir: string): Promise<void> {
  const lockFile = `${dataDir}.lock`;
  if ((await readOwnerPid(lockFile)) === process.pid)
    await appendFile(lockFile, `${STOPPING}\n`).catch(() => undefined);
}

/** Waits (bounded) while a live owner that said it is stopping holds the lock; true once it let go. */
async function waitForStoppingOwner(lockFile: string, dataDir: string): Promise<boolean> {
  const owner = await readOwner(lockFile);
  if (!owner.stopping || owner.pid === process.pid || !isAlive(owner.pid)) return false;
  process.stderr.write(
    `loadlab: waiting up to ${STOPPING_WAIT_MS / 1000} s for process ${owner.pid}, which is stopping, to release ${dataDir}\n`,
  );
  for (const deadline = Date.now() + STOPPING_WAIT_MS; Date.now() < deadline; await sleep(POLL_MS)) {
    const now = await readOwner(lockFile);
    if (now.pid !== owner.pid || !isAlive(owner.pid)) return true;
  }
  return false;
}

/**
 * Takes `<dataDir>.lock` for this process; a lock whose owner is dead is taken over.
 * Returns the release function. Throws LOADLAB_SERVICE_BUSY while a live process holds it.
 */
export async function acquireDirLock(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const handle = await open(lockFile, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n${new Date().toISOString()}\n`);
      await handle.close();
      return async () => {
        if ((await readOwnerPid(lockFile)) === process.pid) await unlink(lockFile).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await waitForStoppingOwner(lockFile, dataDir)) continue; // it let go: take the lock now
    const owner = await readOwnerPid(lockFile);
    if (Number.isInteger(owner) && isAlive(owner)) {
      throw new ServiceError(
        'LOADLAB_SERVICE_BUSY',
        'postgres',
        `the PostgreSQL data folder ${dataDir} is in use by process ${owner}` +
          `${owner === process.pid ? ' (this process)' : ''}; stop it, or give this run its own folder ` +
          '(LOADLAB_DATA_DIR or the dataDir option)',
      );
    }
    await unlink(lockFile).catch(() => undefined); // its owner died; retry
    await sleep(POLL_MS * Math.random()); // let a concurrent taker win cleanly
  }
  throw new ServiceError(
    'LOADLAB_SERVICE_BUSY',
    'postgres',
    `could not take the lock ${lockFile}; remove it if no loadlab runs`,
  );
}

/**
 * Called with the lock held, so a live postmaster on this folder was orphaned by a dead owner:
 * shut it down (fast, then immediate). A postmaster.pid naming a dead or unrelated process is removed.
 */
export async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => null);
  if (text === null) return;
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  const alive = Number.isInteger(pid) && pid > 0 && isAlive(pid);
  const kind = alive ? processKind(pid) : 'other';
  if (!alive || kind === 'other') {
    log(`removing stale ${pidFile} (process ${pid} is ${alive ? 'not postgres' : 'gone'})`);
    await unlink(pidFile).catch(() => undefined);
    return;
  }
  if (kind === 'unknown') {
    throw new ServiceError(
      'LOADLAB_SERVICE_BUSY',
      'postgres',
      `${pidFile} names live process ${pid}; stop it (kill -INT ${pid}) or delete the file if it is not PostgreSQL`,
    );
  }
  log(`stopping orphaned PostgreSQL ${pid} left running on ${dataDir} by a process that died`);
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
  ] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    if (await waitForExit(pid, waitMs)) return;
  }
  throw new ServiceError(
    'LOADLAB_SERVICE_BUSY',
    'postgres',
    `orphaned PostgreSQL ${pid} on ${dataDir} does not stop; kill it`,
  );
}
