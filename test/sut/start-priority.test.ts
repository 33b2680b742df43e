// A replacement worker starts at a lower CPU priority and goes back once ready (sut/runtime/supervisor.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerWhileStarting, STARTING_NICENESS } from '../../sut/runtime/supervisor.ts';

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
});

/** A Node process with its own threads (libuv's pool started by a crypto call), waiting to be ended. */
async function startChild(): Promise<number> {
  child = spawn(
    process.execPath,
    [
      '-e',
      "require('crypto').pbkdf2(Buffer.alloc(1), Buffer.alloc(1), 1, 8, 'sha256', () => console.log('up')); setInterval(() => {}, 1000)",
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await once(child.stdout!, 'data');
  return child.pid!;
}

const threadNiceness = (pid: number): number[] =>
  readdirSync(`/proc/${pid}/task`).map((tid) => getPriority(Number(tid)));

describe('lowerWhileStarting', () => {
  it('as root: lowers the worker to the starting niceness, then puts every thread back', async () => {
    expect(process.getuid?.()).toBe(0); // CI and this machine run as root; raising a priority back needs it
    const pid = await startChild();
    const before = getPriority(pid);
    const restore = lowerWhileStarting(pid, true);
    expect(getPriority(pid)).toBe(Math.max(before, STARTING_NICENESS));
    restore();
    expect(new Set(threadNiceness(pid))).toEqual(new Set([before]));
  });

  it('without the right to raise it back, leaves the worker alone', async () => {
    const pid = await startChild();
    const before = getPriority(pid);
    lowerWhileStarting(pid, false)();
    expect(getPriority(pid)).toBe(before);
  });

  it('a worker that already exited: nothing to do, no throw', async () => {
    const pid = await startChild();
    child!.kill('SIGKILL');
    await once(child!, 'exit');
    expect(() => lowerWhileStarting(pid, true)()).not.toThrow();
  });
});
