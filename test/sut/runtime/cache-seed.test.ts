// A starting worker's cache seed, both ends wired back to back in memory: the primary asks the donor and hands its
// cache over, or answers "no seed" when there is no donor, the donor has gone, or it does not answer in time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CacheSeed } from '../../../sut/cache/peers.ts';
import { createSeedBroker, requestCacheSeed, type SeedWorker } from '../../../sut/runtime/cache-seed.ts';
import type { PrimaryMessage, WorkerMessage } from '../../../sut/runtime/messages.ts';

afterEach(() => {
  vi.useRealTimers();
});

const SEED: CacheSeed = { gen: { users: 2, teams: 0, members: 1 }, entries: [['user:1', { id: 1 }, 30_000]] };

/** A fake cluster worker that records what the primary sends it and may answer a dump request. */
function fakeWorker(id: number, answer?: (message: PrimaryMessage) => void) {
  const received: PrimaryMessage[] = [];
  const worker = {
    id,
    connected: true,
    received,
    isConnected: () => worker.connected,
    send: ((message: PrimaryMessage) => {
      received.push(message);
      answer?.(message);
      return true;
    }) as SeedWorker['send'],
  };
  return worker;
}

describe('cache seed', () => {
  it('the primary asks the donor for its cache and hands it to the new worker, naming the donor', async () => {
    const broker = createSeedBroker(1000);
    const donor = fakeWorker(1, (m) => {
      if (m.t === 'cache-dump')
        queueMicrotask(() => broker.receive({ t: 'cache-dumped', dumpId: m.dumpId, seed: SEED }));
    });
    const sent: WorkerMessage[] = [];
    const end = requestCacheSeed((m) => void sent.push(m));
    const heir = fakeWorker(2, (m) => m.t === 'cache-seed' && end.receive(m));
    expect(sent).toEqual([{ t: 'cache-seed-req' }]);
    broker.request(heir, donor);
    expect(await end.received).toEqual({ seed: SEED, donor: 1 });
    expect(donor.received).toEqual([{ t: 'cache-dump', dumpId: 1 }]);
    expect(heir.received).toEqual([{ t: 'cache-seed', seed: SEED, donor: 1 }]);
  });

  it('no donor (the first start) or a donor gone: no seed, at once', () => {
    const broker = createSeedBroker(1000);
    const heir = fakeWorker(3);
    broker.request(heir, undefined);
    const gone = fakeWorker(1);
    gone.connected = false;
    broker.request(heir, gone);
    expect(heir.received).toEqual([
      { t: 'cache-seed', seed: null },
      { t: 'cache-seed', seed: null },
    ]);
    expect(gone.received).toEqual([]);
  });

  it('a donor without a cache (null) or one that does not answer in time: no seed; a late answer is dropped', async () => {
    vi.useFakeTimers();
    const broker = createSeedBroker(500);
    const empty = fakeWorker(
      1,
      (m) => m.t === 'cache-dump' && broker.receive({ t: 'cache-dumped', dumpId: m.dumpId, seed: null }),
    );
    const silent = fakeWorker(2);
    const heir = fakeWorker(3);
    broker.request(heir, empty);
    broker.request(heir, silent);
    expect(heir.received).toEqual([{ t: 'cache-seed', seed: null }]);
    await vi.advanceTimersByTimeAsync(500);
    expect(heir.received).toEqual([
      { t: 'cache-seed', seed: null },
      { t: 'cache-seed', seed: null },
    ]);
    broker.receive({ t: 'cache-dumped', dumpId: 2, seed: SEED });
    expect(heir.received).toHaveLength(2);
  });

  it('the worker end starts cold when the primary never answers, and only once', async () => {
    vi.useFakeTimers();
    const end = requestCacheSeed(() => undefined, 300);
    await vi.advanceTimersByTimeAsync(300);
    expect(await end.received).toEqual({ seed: null });
    end.receive({ t: 'cache-seed', seed: SEED, donor: 1 });
    expect(await end.received).toEqual({ seed: null });
  });
});
