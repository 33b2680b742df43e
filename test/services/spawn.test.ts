// The spawn primitive: line waiting (from, count, early exit), a stop that escalates to SIGKILL on
// the whole process group, the parent-death watchdog, readiness failures and the port-retry loop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../services/errors.ts';
import { groupMembers, isAlive, spawnOwned, startOwned, withPortRetry } from '../../services/spawn.ts';

const STUBBORN = `
  const { spawn } = require('node:child_process');
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  const grandchild = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  console.log('pids ' + JSON.stringify([process.pid, grandchild.pid]));
  setInterval(() => {}, 1000);
`;

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('spawnOwned', () => {
  it('stop() SIGKILLs the whole group after the timeout when the child ignores SIGTERM', async () => {
    const owned = spawnOwned(process.execPath, ['-e', STUBBORN]);
    const line = await owned.waitForLine(/^pids /);
    const pids = JSON.parse(line.slice(5)) as number[];
    expect(pids.every(isAlive)).toBe(true);
    expect(groupMembers(owned.pid).sort()).toEqual([...pids].sort());
    await owned.stop('SIGTERM', 300);
    expect(owned.lines()).toContain('ignoring SIGTERM');
    expect(await owned.exit).toEqual([null, 'SIGKILL']);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(groupMembers(owned.pid)).toEqual([]);
  });

  it('waitForLine counts matches after a cursor, and rejects when the child exits first', async () => {
    const owned = spawnOwned(process.execPath, [
      '-e',
      "for (const n of [1, 2, 3]) console.log('tick ' + n); console.error('done')",
    ]);
    await owned.waitForLine(/^done$/);
    expect(await owned.waitForLine(/^tick/, { count: 3 })).toBe('tick 3');
    expect(await owned.waitForLine(/^tick/, { from: 1 })).toBe('tick 2');
    await expect(owned.waitForLine(/^tick/, { count: 4 })).rejects.toThrow(/exited before printing 4×/);
    expect(owned.lineCount()).toBe(4);
    await owned.stop('SIGTERM', 1_000); // already gone: resolves at once
  });

  it('a missing binary is a spawn error, not a throw', async () => {
    const owned = spawnOwned('/nonexistent/loadlab-binary', []);
    expect(await owned.exit).toEqual([null, null]);
    expect(owned.spawnError()?.message).toMatch(/ENOENT/);
    expect(owned.exited()).toBe(true);
  });

  it('the watchdog ends the child when its owner is killed with SIGKILL', async () => {
    const owner = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
      import { spawnOwned } from ${JSON.stringify(new URL('../../services/spawn.ts', import.meta.url).pathname)};
      const owned = spawnOwned(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { watchdog: { group: true, killAfterMs: 1000 } });
      console.log(owned.pid); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: owner.stdout }), 'line')) as [string];
    const pid = Number(line);
    expect(isAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    expect(await until(() => !isAlive(pid), 5_000)).toBe(true);
  });
});

describe('startOwned', () => {
  it('resolves once the ready line is printed', async () => {
    const owned = await startOwned(
      process.execPath,
      ['-e', "setTimeout(() => console.log('ready now'), 50); setInterval(() => {}, 1000)"],
      {
        name: 'fixture',
        ready: { line: /ready now/, timeoutMs: 5_000 },
      },
    );
    expect(owned.exited()).toBe(false);
    expect(await owned.stop('SIGTERM', 1_000)).toEqual([null, 'SIGTERM']);
  });

  it('a child that exits during start is a LOADLAB_SERVICE_FAILED ServiceError quoting its output', async () => {
    const error = await startOwned(process.execPath, ['-e', "console.error('no config here'); process.exit(3)"], {
      name: 'fixture',
      ready: { line: /never/, timeoutMs: 5_000 },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: 'LOADLAB_SERVICE_FAILED',
      service: 'fixture',
      processExitCode: 3,
      outputTail: ['no config here'],
    });
    expect((error as Error).message).toMatch(/^fixture exited during start \(exit 3\); it said:\n {2}no config here$/);
  });

  it('a port that never accepts times out, and the child is stopped', async () => {
    const holder = createServer();
    const error = await startOwned(process.execPath, ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'], {
      name: 'fixture',
      ready: { port: { host: '127.0.0.1', port: 1 }, timeoutMs: 300 },
    }).catch((err: unknown) => err);
    holder.close();
    expect(error).toMatchObject({
      code: 'LOADLAB_SERVICE_FAILED',
      message: expect.stringMatching(/did not become ready/),
    });
    expect(isAlive(Number((error as ServiceError).outputTail[0]))).toBe(false);
  });
});

describe('withPortRetry', () => {
  it('retries on a new free port when the port was taken, and gives up after the attempts', async () => {
    const tried: number[] = [];
    const taken = (port: number) => {
      tried.push(port);
      return Promise.reject(new ServiceError('LOADLAB_SERVICE_PORT_TAKEN', 'fixture', `port ${port} taken`));
    };
    await expect(withPortRetry(taken, { attempts: 3 })).rejects.toMatchObject({ code: 'LOADLAB_SERVICE_PORT_TAKEN' });
    expect(tried).toHaveLength(3);
    expect(await withPortRetry(async (port) => port + 0, { port: 4321 })).toBe(4321);
  });

  it('does not retry other failures', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('boom'));
    };
    await expect(withPortRetry(failing)).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
