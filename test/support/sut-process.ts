// Runs the real SUT entry point (cluster primary + workers) as a child process for tests, through
// the services' spawn primitive (its own process group, stopped with the group on failure).
import { LISTENING } from '../../lib/sut-protocol.ts';
import { childPids, commandName, spawnOwned, type OwnedChild } from '../../services/spawn.ts';
import type { ChildProcess } from 'node:child_process';

export { childPids, isAlive } from '../../services/spawn.ts';

const MAIN = new URL('../../sut/main.ts', import.meta.url).pathname;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface SutProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  stderr(): string;
  /** Resolves when the output has shown `pattern` `count` times in all (counting from the start). */
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /** Pids of the primary's direct children (its workers). */
  children(): number[];
  /** Pids of the cluster workers alone. */
  workers(): number[];
  /** Sends the signal and resolves with the exit code (SIGKILL of the group if it hangs). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts sut/main.ts with PORT=0 and `env` (which must hold DATABASE_URL), resolves once it listens. */
export async function startSutProcess(env: Record<string, string>): Promise<SutProcess> {
  const owned = spawnOwned(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    watchdog: { signal: 'SIGTERM', group: true, killAfterMs: STOP_TIMEOUT_MS },
  });
  let listening: string;
  try {
    listening = await owned.waitForLine(LISTENING, { timeoutMs: START_TIMEOUT_MS });
  } catch (err) {
    await owned.stop('SIGTERM', 2_000);
    throw new Error(`SUT did not start (${(err as Error).message}):\n${owned.lines().join('\n')}`, { cause: err });
  }
  return handleFor(owned, LISTENING.exec(listening)![1]!);
}

function handleFor(owned: OwnedChild, url: string): SutProcess {
  return {
    child: owned.child,
    url,
    pid: owned.pid,
    stderr: () => owned.lines().join('\n'),
    children: () => childPids(owned.pid),
    workers: () => childPids(owned.pid).filter((pid) => commandName(pid) === 'node'),
    async waitForLog(pattern, count = 1, timeoutMs = 30_000) {
      try {
        await owned.waitForLine(pattern, { count, timeoutMs });
      } catch (err) {
        throw new Error(`${(err as Error).message}; output:\n${owned.lines().join('\n')}`, { cause: err });
      }
    },
    async stop(signal = 'SIGTERM') {
      const [code] = await owned.stop(signal, STOP_TIMEOUT_MS);
      return code;
    },
  };
}
