// The cache relay on both ends, wired back to back in memory: the primary's fan-out and acks, and the workers' peers.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CacheOp, PeerReport } from '../../../sut/cache/peers.ts';
import {
  createCacheRelay,
  createIpcCachePeers,
  MAX_EARLY_OPS,
  type RelayWorker,
} from '../../../sut/runtime/cache-relay.ts';
import type { PrimaryMessage, WorkerMessage } from '../../../sut/runtime/messages.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** Workers as the primary sees them, each with a worker-side peers end that applies ops to a counter. */
function cluster(count: number, options: { timeoutMs?: number; silent?: number[]; starting?: number[] } = {}) {
  const everyone: Array<RelayWorker & { connected: boolean; events: EventEmitter }> = [];
  const relay = createCacheRelay({ timeoutMs: options.timeoutMs ?? 1000, everyWorker: () => everyone });
  const applied: Record<number, CacheOp[]> = {};
  const live = () => everyone.filter((w) => !options.starting?.includes(w.id));
  const peers = Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    applied[id] = [];
    const end = createIpcCachePeers(
      (message: WorkerMessage) => {
        if (message.t === 'cache-op' || message.t === 'cache-applied') relay.receive(worker, message, live());
      },
      () => true,
    );
    end.serve((op) => {
      applied[id]!.push(op);
      return id * 10; // entries "removed"
    });
    const events = new EventEmitter();
    const worker = {
      id,
      connected: true,
      events,
      once: ((event: string, listener: () => void) => events.once(event, listener)) as RelayWorker['once'],
      isConnected: () => worker.connected,
      send: ((message: PrimaryMessage) => {
        if (options.silent?.includes(id) && message.t === 'cache-apply') return true;
        if (message.t === 'cache-apply' || message.t === 'cache-done') end.receive(message);
        return true;
      }) as RelayWorker['send'],
    };
    everyone.push(worker);
    return end;
  });
  return { peers, applied, everyone };
}

const FLUSH: CacheOp = { kind: 'flush' };

describe('cache relay', () => {
  it('relays a flush to every other worker and reports once all confirmed', async () => {
    const { peers, applied } = cluster(3);
    const report = await peers[0]!.broadcast(FLUSH);
    expect(report).toEqual<PeerReport>({ asked: 2, applied: 2, entries: 50, timedOut: false });
    expect(applied).toEqual({ 1: [], 2: [FLUSH], 3: [FLUSH] });
  });

  it('relays an invalidation as it was sent', async () => {
    const { peers, applied } = cluster(2);
    const op: CacheOp = { kind: 'invalidate', invalidation: { bump: ['users'], userId: 7 } };
    expect(await peers[1]!.broadcast(op)).toMatchObject({ asked: 1, applied: 1, timedOut: false });
    expect(applied[1]).toEqual([op]);
  });

  it('one worker alone: nothing to ask, answered at once', async () => {
    const { peers } = cluster(1);
    expect(await peers[0]!.broadcast(FLUSH)).toEqual({ asked: 0, applied: 0, entries: 0, timedOut: false });
  });

  it('a worker that does not confirm: the relay answers after its timeout with what it had', async () => {
    vi.useFakeTimers();
    const { peers, applied } = cluster(3, { timeoutMs: 500, silent: [3] });
    const report = peers[0]!.broadcast(FLUSH);
    await vi.advanceTimersByTimeAsync(500);
    expect(await report).toEqual({ asked: 2, applied: 1, entries: 20, timedOut: true });
    expect(applied[3]).toEqual([]);
  });

  it('a starting worker is told but not waited for; a disconnected one is skipped', async () => {
    const { peers, applied, everyone } = cluster(4, { starting: [3] });
    everyone[3]!.connected = false;
    expect(await peers[0]!.broadcast(FLUSH)).toEqual({ asked: 1, applied: 1, entries: 20, timedOut: false });
    expect(applied[3]).toEqual([FLUSH]);
    expect(applied[4]).toEqual([]);
  });

  it('a worker that goes away while the relay waits for it is no longer waited for', async () => {
    const { peers, applied, everyone } = cluster(3, { silent: [3] });
    let settled = false;
    const report = peers[0]!.broadcast(FLUSH).finally(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false); // worker 3 has not confirmed
    everyone[2]!.connected = false;
    everyone[2]!.events.emit('disconnect');
    expect(await report).toEqual({ asked: 2, applied: 1, entries: 20, timedOut: false });
    expect(applied[3]).toEqual([]);
    expect(everyone[2]!.events.listenerCount('disconnect')).toBe(0);
    await peers[0]!.broadcast(FLUSH); // a second relay adds no listener to a worker already watched
    expect(everyone[1]!.events.listenerCount('disconnect')).toBe(1);
  });

  it('the worker end gives up after its own timeout when the primary never answers', async () => {
    vi.useFakeTimers();
    const sent: WorkerMessage[] = [];
    const end = createIpcCachePeers(
      (m) => void sent.push(m),
      () => true,
      300,
    );
    const report = end.broadcast(FLUSH);
    await vi.advanceTimersByTimeAsync(300);
    expect(await report).toEqual({ asked: 0, applied: 0, entries: 0, timedOut: true });
    expect(sent).toEqual([{ t: 'cache-op', reqId: 1, op: FLUSH }]);
  });

  it('the worker end confirms a relayed op before its cache exists, and sends nothing once the primary is gone', async () => {
    const sent: WorkerMessage[] = [];
    const end = createIpcCachePeers(
      (m) => void sent.push(m),
      () => false,
    );
    end.receive({ t: 'cache-apply', relayId: 9, op: FLUSH });
    expect(sent).toEqual([{ t: 'cache-applied', relayId: 9, entries: 0 }]);
    expect(await end.broadcast(FLUSH)).toEqual({ asked: 0, applied: 0, entries: 0, timedOut: false });
    expect(sent).toHaveLength(1);
  });

  it('the worker end keeps the ops relayed before its cache exists and applies them, in order, once it serves', () => {
    const end = createIpcCachePeers(
      () => undefined,
      () => true,
    );
    const invalidate: CacheOp = { kind: 'invalidate', invalidation: { bump: ['users'], userId: 3 } };
    const other: CacheOp = { kind: 'invalidate', invalidation: { bump: [], teamId: 2 } };
    end.receive({ t: 'cache-apply', relayId: 1, op: invalidate });
    end.receive({ t: 'cache-apply', relayId: 2, op: other });
    const applied: CacheOp[] = [];
    end.serve((op) => (applied.push(op), 0));
    expect(applied).toEqual([invalidate, other]);
    end.receive({ t: 'cache-apply', relayId: 3, op: FLUSH });
    expect(applied).toEqual([invalidate, other, FLUSH]);
  });

  it('a flush before the cache exists stands for every op before it, and too many early ops become one flush', () => {
    const end = createIpcCachePeers(
      () => undefined,
      () => true,
    );
    const op = (userId: number): CacheOp => ({ kind: 'invalidate', invalidation: { bump: [], userId } });
    end.receive({ t: 'cache-apply', relayId: 1, op: op(1) });
    end.receive({ t: 'cache-apply', relayId: 2, op: FLUSH });
    end.receive({ t: 'cache-apply', relayId: 3, op: op(2) });
    const applied: CacheOp[] = [];
    end.serve((o) => (applied.push(o), 0));
    expect(applied).toEqual([FLUSH, op(2)]);

    const busy = createIpcCachePeers(
      () => undefined,
      () => true,
    );
    for (let i = 0; i <= MAX_EARLY_OPS; i++) busy.receive({ t: 'cache-apply', relayId: i, op: op(i) });
    const later: CacheOp[] = [];
    busy.serve((o) => (later.push(o), 0));
    expect(later).toEqual([FLUSH]);
  });
});
