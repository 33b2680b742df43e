// What one worker's cache tells the other workers of its node (a flush, what a write changed), as plain data.

/** What a write changed: generations to move on (every list or search page of users, of teams; every team read) and keys to drop. */
export interface CacheInvalidation {
  bump: Array<'users' | 'teams' | 'members'>;
  userId?: number;
  teamId?: number;
}

export type CacheOp = { kind: 'flush' } | { kind: 'invalidate'; invalidation: CacheInvalidation };

/** How the other workers of the node took an op. */
export interface PeerReport {
  /** Workers asked (every live one but the sender). */
  asked: number;
  /** Of them, those that confirmed they applied it. */
  applied: number;
  /** Entries they removed (a flush). */
  entries: number;
  /** Some did not confirm within the relay's timeout (or the primary did not answer). */
  timedOut: boolean;
}

/** The link from a worker's cache to the other workers' caches of its node (through the cluster primary). */
export interface CachePeers {
  /** Has every other worker apply `op`; resolves once all confirmed or the relay timed out, never rejects. */
  broadcast(op: CacheOp): Promise<PeerReport>;
  /** Registers the function that applies the ops other workers broadcast to this worker's cache. */
  serve(apply: (op: CacheOp) => number): void;
}

export const NO_PEERS: PeerReport = { asked: 0, applied: 0, entries: 0, timedOut: false };

/** Generation numbers of the cached lists and searches (see cached-store.ts): part of their keys. */
export interface CacheGenerations {
  users: number;
  teams: number;
  members: number;
}

/**
 * A worker's cache as plain data, handed to the worker that replaces it so the replacement starts warm: the
 * generations its keys were made with and its entries, least recently used first, each [key, value, ms of TTL
 * left]. A cached 404 has the value null.
 */
export interface CacheSeed {
  gen: CacheGenerations;
  entries: Array<[key: string, value: unknown, ttlLeftMs: number]>;
}
