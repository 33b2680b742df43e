// The IPC messages between the cluster primary and its workers.
import type { CacheOp, CacheSeed, PeerReport } from '../cache/peers.ts';

export type WorkerMessage =
  | { t: 'ready'; pid: number; port: number }
  | { t: 'metrics-req'; reqId: number }
  | { t: 'metrics-json'; reqId: number; json: unknown }
  /** This worker's cache flushed or saw a write: the primary relays it to every other worker, then answers 'cache-done'. */
  | { t: 'cache-op'; reqId: number; op: CacheOp }
  /** This worker applied a relayed op; entries: what it removed. */
  | { t: 'cache-applied'; relayId: number; entries: number }
  /** A worker starting: it asks for the cache of the worker it replaces (or of a live one) before it listens. */
  | { t: 'cache-seed-req' }
  /** This worker's cache, asked for by 'cache-dump' (null: it has none, e.g. CACHE=off or still starting). */
  | { t: 'cache-dumped'; dumpId: number; seed: CacheSeed | null };

export type PrimaryMessage =
  /** reload: the other workers keep serving (idle sockets get a grace); stop: the node goes away. */
  | { t: 'drain'; mode: 'reload' | 'stop' }
  | { t: 'metrics-res'; reqId: number; body: string; contentType: string }
  | { t: 'metrics-collect'; reqId: number }
  /** Another worker's cache op, to apply to this worker's cache and confirm with 'cache-applied'. */
  | { t: 'cache-apply'; relayId: number; op: CacheOp }
  /** The other workers took the sender's 'cache-op' (or the relay's timeout passed). */
  | ({ t: 'cache-done'; reqId: number } & PeerReport)
  /** Asks a live worker for its cache (answered with 'cache-dumped'), to seed a starting one. */
  | { t: 'cache-dump'; dumpId: number }
  /** The answer to 'cache-seed-req': a donor's cache, or null (no donor, or it did not answer in time). */
  | { t: 'cache-seed'; seed: CacheSeed | null; donor?: number };

export function isMessage<T extends { t: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
