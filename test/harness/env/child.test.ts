// Owned child processes: line waiting (from, count, early exit) and a stop that escalates to
// SIGKILL on the whole process group when the child ignores the polite signal.
import { describe, expect, it } from 'vitest';
import { isAlive, spawnOwned } from '../../../harness/env/child.ts';

const STUBBORN = `
  const { spawn } = require('node:child_process');
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  const grandchild = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  console.log('pids ' + JSON.stringify([process.pid, grandchild.pid]));
  setInterval(() => {}, 1000);
`;

describe('spawnOwned', () => {
  it('stop() SIGKILLs the whole group after the timeout when the child ignores SIGTERM', async () => {
    const owned = spawnOwned(process.execPath, ['-e', STUBBORN]);
    const line = await owned.waitForLine(/^pids /);
    const pids = JSON.parse(line.slice(5)) as number[];
    expect(pids.every(isAlive)).toBe(true);
    await owned.stop('SIGTERM', 300);
    expect(owned.lines()).toContain('ignoring SIGTERM');
    expect(await owned.exit).toEqual([null, 'SIGKILL']);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('waitForLine counts matches after a cursor, and rejects when the child exits first', async () => {
    const owned = spawnOwned(process.execPath, ['-e', "for (const n of [1, 2, 3]) console.log('tick ' + n); console.error('done')"]);
    await owned.waitForLine(/^done$/);
    expect(await owned.waitForLine(/^tick/, { count: 3 })).toBe('tick 3');
    expect(await owned.waitForLine(/^tick/, { from: 1 })).toBe('tick 2');
    await expect(owned.waitForLine(/^tick/, { count: 4 })).rejects.toThrow(/exited before printing 4×/);
    expect(owned.lineCount()).toBe(4);
    await owned.stop('SIGTERM', 1_000); // already gone: resolves at once
  });
});
