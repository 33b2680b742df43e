// One logical cache per node: a worker's flush or write goes to the primary, which relays it to every other
// worker and answers the sender once they all confirmed (or the timeout passed). Both ends of that exchange.
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { NO_PEERS, type CacheOp, type CachePeers, type PeerReport } from '../cache/peers.ts';
import type { PrimaryMessage, WorkerMessage } from './messages.ts';

/** How long the primary waits for the other workers to confirm an op. */
export const RELAY_TIMEOUT_MS = 2000;

type RelayRequest = Extract<WorkerMessage, { t: 'cache-op' | 'cache-applied' }>;
type RelayAnswer = Extract<PrimaryMessage, { t: 'cache-apply' | 'cache-done' }>;

/** The cluster workers the relay may address: a subset of node:cluster's Worker, so tests can give fakes. */
export type RelayWorker = Pick<ClusterWorker, 'id' | 'isConnected' | 'send' | 'once'>;

export interface CacheRelay {
  /** A worker's 'cache-op' or 'cache-applied'. `live`: the workers that serve; the relay waits for their confirmation. */
  receive(from: RelayWorker, message: RelayRequest, live: RelayWorker[]): void;
}

export interface CacheRelayOptions {
  timeoutMs?: number;
  /**
   * Every forked worker. One still starting (not yet live) is told too but not waited for: it may already serve
   * between its listen and its 'ready', and it may not have its message handler yet (then its cache is empty).
   */
  everyWorker?: () => RelayWorker[];
}

const allClusterWorkers = (): RelayWorker[] =>
  Object.values(cluster.workers ?? {}).filter((w): w is ClusterWorker => w !== undefined);

/** Sends unless the channel has closed (a worker going away); never throws or emits. */
function sendTo(worker: RelayWorker, message: RelayAnswer): void {
  if (worker.isConnected()) worker.send(message, () => undefined);
}

export function createCacheRelay(options: CacheRelayOptions = {}): CacheRelay {
  const timeoutMs = options.timeoutMs ?? RELAY_TIMEOUT_MS;
  const everyWorker = options.everyWorker ?? allClusterWorkers;
  /** Per relay in progress: a worker confirmed (entries) or went away (null: it has no cache left to wait for). */
  const pending = new Map<number, (workerId: number, entries: number | null) => void>();
  const watched = new WeakSet<RelayWorker>();
  let nextId = 1;

  /** Once per worker: when its channel closes, no relay waits for it any longer (a reload retires workers). */
  function watch(worker: RelayWorker): void {
    if (watched.has(worker)) return;
    watched.add(worker);
    worker.once('disconnect', () => {
      for (const settle of [...pending.values()]) settle(worker.id, null);
    });
  }

  function relay(from: RelayWorker, reqId: number, op: CacheOp, live: RelayWorker[]): void {
    const relayId = nextId++;
    const asked = live.filter((w) => w.id !== from.id && w.isConnected());
    asked.forEach(watch);
    const waiting = new Set(asked.map((w) => w.id));
    const report: PeerReport = { asked: waiting.size, applied: 0, entries: 0, timedOut: false };
    const finish = () => {
      clearTimeout(timer);
      pending.delete(relayId);
      sendTo(from, { t: 'cache-done', reqId, ...report });
    };
    const timer = setTimeout(() => {
      report.timedOut = true;
      finish();
    }, timeoutMs);
    pending.set(relayId, (workerId, entries) => {
      if (!waiting.delete(workerId)) return;
      if (entries !== null) {
        report.applied += 1;
        report.entries += entries;
      }
      if (waiting.size === 0) finish();
    });
    for (const worker of everyWorker()) if (worker.id !== from.id) sendTo(worker, { t: 'cache-apply', relayId, op });
    if (report.asked === 0) finish();
  }

  return {
    receive(from, message, live) {
      if (message.t === 'cache-applied') pending.get(message.relayId)?.(from.id, message.entries);
      else relay(from, message.reqId, message.op, live);
    },
  };
}

/** Ops kept before a worker's cache exists; past this many, one flush stands for them all. */
export const MAX_EARLY_OPS = 1000;

function keepEarly(early: CacheOp[], op: CacheOp): CacheOp[] {
  if (op.kind === 'flush' || early.length >= MAX_EARLY_OPS) return [{ kind: 'flush' }];
  return [...early, op];
}

/** A worker's end: broadcasts its cache's ops through the primary and applies the ones relayed to it. */
export interface IpcCachePeers extends CachePeers {
  /** The primary's 'cache-apply' and 'cache-done'. */
  receive(message: RelayAnswer): void;
}

/**
 * @param send a message to the primary (dropped when the channel has closed)
 * @param timeoutMs how long to wait for the primary's 'cache-done': longer than the relay's own timeout
 */
export function createIpcCachePeers(
  send: (message: WorkerMessage) => void,
  connected: () => boolean,
  timeoutMs = RELAY_TIMEOUT_MS + 1000,
): IpcCachePeers {
  let applyHere: ((op: CacheOp) => number) | undefined;
  let early: CacheOp[] = [];
  const waiting = new Map<number, (report: PeerReport) => void>();
  let nextReq = 1;

  return {
    broadcast(op) {
      if (!connected()) return Promise.resolve(NO_PEERS); // the primary is gone, and with it the other workers
      const reqId = nextReq++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => done({ ...NO_PEERS, timedOut: true }), timeoutMs);
        const done = (report: PeerReport) => {
          clearTimeout(timer);
          waiting.delete(reqId);
          resolve(report);
        };
        waiting.set(reqId, done);
        send({ t: 'cache-op', reqId, op });
      });
    },
    serve(apply) {
      applyHere = apply;
      for (const op of early) apply(op);
      early = [];
    },
    receive(message) {
      if (message.t === 'cache-done') {
        const { t: _t, reqId, ...report } = message;
        waiting.get(reqId)?.(report);
        return;
      }
      // Before this worker's cache exists there is nothing to drop: confirm all the same, and keep the op for the
      // cache to apply once it exists (after its seed, which may predate the op).
      if (!applyHere) early = keepEarly(early, message.op);
      const entries = applyHere ? applyHere(message.op) : 0;
      send({ t: 'cache-applied', relayId: message.relayId, entries });
    },
  };
}
