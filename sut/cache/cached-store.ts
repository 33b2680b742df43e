// Read-through LRU cache in front of a store; writes invalidate exactly what they change.
import { LRUCache, type Perf } from 'lru-cache';
import type { Page, ReadContext, Store } from '../data/store.ts';
import { bindAll } from './latency-store.ts';

export interface CacheOptions {
  max: number;
  ttlMs: number;
  /** Clock for TTL; tests inject one instead of sleeping. */
  perf?: Perf;
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

export interface CachedStore extends Store {
  flush(): number;
  stats(): CacheStats;
}

/** lru-cache cannot hold null, so an unknown id is cached as { value: null } (negative caching). */
interface Boxed {
  value: unknown;
}

/**
 * List and search results are keyed by a generation number that any write to their collection
 * bumps, so stale pages are never served and simply age out of the LRU.
 */
export function withCache(inner: Store, options: CacheOptions): CachedStore {
  const stats = { hits: 0, misses: 0 };
  const gen = { users: 0, teams: 0, members: 0 };
  const cache = new LRUCache<string, Boxed>({
    max: options.max,
    ttl: options.ttlMs,
    // An injected clock is read on every check: lru-cache otherwise memoises "now" for 1 ms of real time.
    ...(options.perf ? { perf: options.perf, ttlResolution: 0 } : {}),
  });
  // Concurrent misses on one key share one load; a write empties this, so no reader after a
  // write joins a load that started before it.
  const inflight = new Map<string, Promise<unknown>>();
  let writes = 0;

  async function read<T>(key: string, ctx: ReadContext | undefined, load: () => Promise<T>): Promise<T> {
    const boxed = cache.get(key);
    if (ctx) ctx.cache = boxed ? 'hit' : 'miss';
    if (boxed) {
      stats.hits += 1;
      return boxed.value as T;
    }
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
  const userWrite = (id?: number) => {
    written();
    gen.users += 1;
    if (id !== undefined) cache.delete(`user:${id}`);
  };

  return {
    ...bindAll(inner),
    listUsers: (page, ctx) => read(`users:${gen.users}:${pageKey(page)}`, ctx, () => inner.listUsers(page)),
    getUser: (id, ctx) => read(`user:${id}`, ctx, () => inner.getUser(id)),
    searchUsers: (q, limit, ctx) =>
      read(`search:${gen.users}:${limit}:${q.toLowerCase()}`, ctx, () => inner.searchUsers(q, limit)),
    listTeams: (page, ctx) => read(`teams:${gen.teams}:${pageKey(page)}`, ctx, () => inner.listTeams(page)),
    getTeam: (id, ctx) => read(`team:${gen.members}:${id}`, ctx, () => inner.getTeam(id)),

    async createUser(input) {
      const user = await inner.createUser(input);
      userWrite(user.id);
      return user;
    },
    async updateUser(id, patch) {
      const user = await inner.updateUser(id, patch);
      userWrite(id);
      return user;
    },
    async deleteUser(id) {
      const deleted = await inner.deleteUser(id);
      userWrite(id);
      if (deleted) gen.members += 1; // memberships went with the user
      return deleted;
    },
    async createTeam(name) {
      const team = await inner.createTeam(name);
      written();
      gen.teams += 1;
      cache.delete(`team:${gen.members}:${team.id}`);
      return team;
    },
    async addMember(teamId, userId, role) {
      const member = await inner.addMember(teamId, userId, role);
      written();
      cache.delete(`team:${gen.members}:${teamId}`);
      return member;
    },
    flush() {
      const size = cache.size;
      written();
      cache.clear();
      return size;
    },
    stats: () => ({ ...stats, size: cache.size }),
  };
}
