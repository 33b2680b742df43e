// The registry of started processes: stop order, idempotence, failures that do not keep the rest
// running, and withCleanup on success and on a throw (the signal path is tested in sut.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { stopAll, track, trackedCount, untrack, withCleanup, type Stoppable } from '../../../harness/env/processes.ts';

function fake(name: string, log: string[], fail = false): Stoppable {
  const item: Stoppable = {
    async stop() {
      log.push(name);
      untrack(item);
      if (fail) throw new Error(`${name} would not stop`);
    },
  };
  return item;
}

afterEach(async () => {
  await stopAll().catch(() => undefined);
});

describe('processes registry', () => {
  it('stops everything newest first (balancer, then nodes, then services) and empties itself', async () => {
    const log: string[] = [];
    for (const name of ['services', 'node-1', 'node-2', 'lb']) track(fake(name, log));
    expect(trackedCount()).toBe(4);
    await stopAll();
    expect(log).toEqual(['lb', 'node-2', 'node-1', 'services']);
    expect(trackedCount()).toBe(0);
  });

  it('tracks an item once, and forgets one that stopped by itself', async () => {
    const log: string[] = [];
    const item = track(track(fake('a', log)));
    expect(trackedCount()).toBe(1);
    await item.stop();
    expect(trackedCount()).toBe(0);
    await stopAll();
    expect(log).toEqual(['a']);
  });

  it('keeps stopping after a failure, then reports it', async () => {
    const log: string[] = [];
    track(fake('a', log));
    track(fake('b', log, true));
    track(fake('c', log));
    await expect(stopAll()).rejects.toThrow('1 process(es) failed to stop cleanly');
    expect(log).toEqual(['c', 'b', 'a']);
    expect(trackedCount()).toBe(0);
  });

  it('withCleanup stops what the body started, on return and on a throw, and leaves older items alone', async () => {
    const log: string[] = [];
    track(fake('older', log));
    expect(await withCleanup(async () => (track(fake('x', log)), 42))).toBe(42);
    await expect(
      withCleanup(async () => {
        track(fake('y', log));
        track(fake('z', log));
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    expect(log).toEqual(['x', 'z', 'y']);
    expect(trackedCount()).toBe(1);
  });

  it('installs its signal handlers only while something runs', async () => {
    const before = process.listenerCount('SIGINT');
    track(fake('a', []));
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    await stopAll();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
