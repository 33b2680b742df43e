// Read-through LRU cache in front of a store; writes invalidate exactly what they change, here and (through
// `peers`) in every other worker of the node, so the node's workers behave as one logical cache.
import { LRUCache, type Perf } from 'lru-cache';
import type { Page, ReadContext, Store } from '../data/store.ts';
import { bindAll } from './latency-store.ts';
import {
  NO_PEERS,
  type CacheGenerations,
  type CacheInvalidation,
  type CacheOp,
  type CachePeers,
  type CacheSeed,
} from './peers.ts';

export interface CacheOptions {
  max: number;
  /** Bound on the cached JSON's bytes (UTF-8), besides the entry count; unset: entries only. */
  maxBytes?: number;
  ttlMs: number;
  /** The other workers of the node: flushes and invalidations reach them too. */
  peers?: CachePeers;
  /** Clock for TTL; tests inject one instead of sleeping. */
  perf?: Perf;
  /**
   * What the worker this one replaces held (its `dump()`): loaded before the first read, and before the ops the
   * peers relayed meanwhile are applied, so nothing it holds is staler than the donor's cache was.
   */
  seed?: CacheSeed;
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  /** The cached JSON's bytes, as counted against maxBytes (0 without a byte bound). */
  bytes: number;
}

/** A flush of every worker of the node. */
export interface NodeFlush {
  /** Entries removed, in all those workers. */
  entries: number;
  /** Workers whose cache is now empty: this one and every other that confirmed. */
  workers: number;
  /** Every live worker confirmed within the relay's timeout. */
  complete: boolean;
}

export interface CachedStore extends Store {
  /** Empties this worker's cache only; returns the entries removed. */
  flush(): number;
  /** Empties every worker's cache of the node; resolves once they all confirmed (or the relay timed out). */
  flushAll(): Promise<NodeFlush>;
  /** Applies what another worker broadcast (its flush, its write); returns the entries removed. */
  apply(op: CacheOp): number;
  /** This worker's cache as plain data, for the worker that replaces it (a rolling reload). */
  dump(): CacheSeed;
  stats(): CacheStats;
}

/** lru-cache cannot hold null, so an unknown id is cached as { value: null } (negative caching). */
interface Boxed {
  value: unknown;
}

/** What an entry weighs against maxBytes: its JSON as the route sends it. */
export function jsonBytes(value: unknown): number {
  return Math.max(1, Buffer.byteLength(JSON.stringify(value) ?? 'null'));
}

/**
 * List and search results are keyed by a generation number that any write to their collection
 * bumps, so stale pages are never served and simply age out of the LRU.
 */
export function withCache(inner: Store, options: CacheOptions): CachedStore {
  const stats = { hits: 0, misses: 0 };
  const gen: CacheGenerations = { users: 0, teams: 0, members: 0 };
  const cache = new LRUCache<string, Boxed>({
    max: options.max,
    ttl: options.ttlMs,
    ...(options.maxBytes
      ? { maxSize: options.maxBytes, sizeCalculation: (boxed: Boxed) => jsonBytes(boxed.value) }
      : {}),
    // An injected clock is read on every check: lru-cache otherwise memoises "now" for 1 ms of real time.
    ...(options.perf ? { perf: options.perf, ttlResolution: 0 } : {}),
  });
  // Concurrent misses on one key share one load; a write empties this, so no reader after a
  // write joins a load that started before it.
  const inflight = new Map<string, Promise<unknown>>();
  let writes = 0;

  /** The cached value (a hit, counted), or undefined on a miss (not counted: read() counts it). */
  function now<T>(key: string, ctx: ReadContext | undefined): T | undefined {
    const boxed = cache.get(key);
    if (!boxed) return undefined;
    stats.hits += 1;
    if (ctx) ctx.cache = 'hit';
    return boxed.value as T;
  }

  async function read<T>(key: string, ctx: ReadContext | undefined, load: () => Promise<T>): Promise<T> {
    const hit = now<T>(key, ctx);
    if (hit !== undefined) return hit;
    if (ctx) ctx.cache = 'miss';
    stats.misses += 1;
    let pending = inflight.get(key) as Promise<T> | undefined;
    if (!pending) {
      const writesAtStart = writes;
      pending = load().then((value) => {
        // A write during the load may have changed what we read: serve it, but don't keep it.
        if (writes === writesAtStart) cache.set(key, { value });
        return value;
      });
      const shared = pending.finally(() => inflight.get(key) === shared && inflight.delete(key));
      shared.catch(() => undefined);
      inflight.set(key, shared);
    }
    return pending;
  }

  const written = () => {
    writes += 1;
    inflight.clear();
  };
  const pageKey = (p: Page) => `${p.limit}:${p.offset ?? ''}:${p.afterId ?? ''}`;
  const teamKey = (id: number) => `team:${gen.members}:${id}`;

  function invalidateHere(change: CacheInvalidation): void {
    written();
    for (const name of change.bump) gen[name] += 1;
    if (change.userId !== undefined) cache.delete(`user:${change.userId}`);
    if (change.teamId !== undefined) cache.delete(teamKey(change.teamId));
  }
  function flushHere(): number {
    const size = cache.size;
    written();
    cache.clear();
    return size;
  }
  /**
   * A write answers once every other worker dropped what it changed too (or the relay timed out), so a client
   * that reads after the answer reads the new value from any worker of the node.
   */
  async function invalidate(change: CacheInvalidation): Promise<void> {
    invalidateHere(change);
    await options.peers?.broadcast({ kind: 'invalidate', invalidation: change });
  }
  const apply = (op: CacheOp): number => {
    if (op.kind === 'flush') return flushHere();
    invalidateHere(op.invalidation);
    return 0;
  };
  function dump(): CacheSeed {
    const entries: CacheSeed['entries'] = [];
    // Least recently used first, so that loading them in this order rebuilds the same recency.
    for (const [key, boxed] of cache.rentries() as Generator<[string, Boxed]>) {
      const ttlLeftMs = cache.getRemainingTTL(key);
      if (ttlLeftMs > 0) entries.push([key, boxed.value, ttlLeftMs]);
    }
    return { gen: { ...gen }, entries };
  }
  function load(seed: CacheSeed): void {
    Object.assign(gen, seed.gen);
    for (const [key, value, ttlLeftMs] of seed.entries) {
      if (ttlLeftMs > 0) cache.set(key, { value }, { ttl: Math.min(ttlLeftMs, options.ttlMs) });
    }
  }
  if (options.seed) load(options.seed);
  options.peers?.serve(apply);

  return {
    ...bindAll(inner),
    listUsers: (page, ctx) => read(`users:${gen.users}:${pageKey(page)}`, ctx, () => inner.listUsers(page)),
    getUser: (id, ctx) => read(`user:${id}`, ctx, () => inner.getUser(id)),
    getUserNow: (id, ctx) => now(`user:${id}`, ctx),
    searchUsers: (q, limit, ctx) =>
      read(`search:${gen.users}:${limit}:${q.toLowerCase()}`, ctx, () => inner.searchUsers(q, limit)),
    listTeams: (page, ctx) => read(`teams:${gen.teams}:${pageKey(page)}`, ctx, () => inner.listTeams(page)),
    getTeam: (id, ctx) => read(teamKey(id), ctx, () => inner.getTeam(id)),
    getTeamNow: (id, ctx) => now(teamKey(id), ctx),

    async createUser(input) {
      const user = await inner.createUser(input);
      await invalidate({ bump: ['users'], userId: user.id });
      return user;
    },
    async updateUser(id, patch) {
      const user = await inner.updateUser(id, patch);
      await invalidate({ bump: ['users'], userId: id });
      return user;
    },
    async deleteUser(id) {
      const deleted = await inner.deleteUser(id);
      // Memberships went with the user: every team read moves on too.
      await invalidate({ bump: deleted ? ['users', 'members'] : ['users'], userId: id });
      return deleted;
    },
    async createTeam(name) {
      const team = await inner.createTeam(name);
      await invalidate({ bump: ['teams'], teamId: team.id }); // a cached 404 of its id
      return team;
    },
    async addMember(teamId, userId, role) {
      const member = await inner.addMember(teamId, userId, role);
      await invalidate({ bump: [], teamId });
      return member;
    },
    flush: flushHere,
    async flushAll() {
      const here = flushHere();
      const peers = options.peers ? await options.peers.broadcast({ kind: 'flush' }) : NO_PEERS;
      return { entries: here + peers.entries, workers: 1 + peers.applied, complete: !peers.timedOut };
    },
    apply,
    dump,
    stats: () => ({ ...stats, size: cache.size, bytes: cache.calculatedSize ?? 0 }),
  };
}
