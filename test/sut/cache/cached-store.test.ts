// The read-through cache: miss then hit, invalidation by writes, flush, TTL on an injected clock, the byte
// bound, and workers linked as one cache (in memory here; test/integration/cache-cluster covers the real IPC).
import { describe, expect, it } from 'vitest';
import { jsonBytes, withCache, type CachedStore } from '../../../sut/cache/cached-store.ts';
import type { CacheOp, CachePeers } from '../../../sut/cache/peers.ts';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import type { Store } from '../../../sut/data/store.ts';
import { createCachedTestApp, testTokens } from '../helpers.ts';

const { token, adminToken } = testTokens();
const writeHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

describe('cache through the API', () => {
  it('answers miss then hit, and serves the same body', async () => {
    const { app } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    const first = await app.request('/api/users/3');
    const second = await app.request('/api/users/3');
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(await second.json()).toEqual(await first.json());
  });

  it('a hit of one user or team is answered synchronously, the same as its miss; a cached 404 too, counted once each', async () => {
    const { app, cache } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    for (const path of ['/api/users/3', '/api/teams/1', '/api/users/99']) {
      const miss = await app.fetch(new Request(`http://sut${path}`));
      const hit = app.fetch(new Request(`http://sut${path}`));
      expect(hit, path).toBeInstanceOf(Response); // not a promise
      const answered = hit as Response;
      expect([miss.status, miss.headers.get('x-cache')], path).toEqual([path.endsWith('99') ? 404 : 200, 'miss']);
      expect([answered.status, answered.headers.get('x-cache')], path).toEqual([miss.status, 'hit']);
      expect(answered.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(await answered.json(), path).toEqual(await miss.json());
    }
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 3 });
  });

  it('an update invalidates the user and the lists that contain it', async () => {
    const { app } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    // The token is user 1's, who may change only user 1.
    await app.request('/api/users/1');
    await app.request('/api/users?limit=5');
    await app.request('/api/users/search?q=user1');
    const put = await app.request('/api/users/1', {
      method: 'PUT',
      headers: writeHeaders,
      body: JSON.stringify({ name: 'Changed' }),
    });
    expect(put.status).toBe(200);
    for (const path of ['/api/users/1', '/api/users?limit=5', '/api/users/search?q=user1']) {
      const res = await app.request(path);
      expect(res.headers.get('x-cache'), path).toBe('miss');
      expect(JSON.stringify(await res.json()), path).toContain('Changed');
    }
  });

  it('a new member invalidates that team', async () => {
    const { app } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    // User 1 (the token's) owns seeded team 1; user 2 is in team 2 only.
    const before = (await (await app.request('/api/teams/1')).json()) as { members: unknown[] };
    const add = await app.request('/api/teams/1/members', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ userId: 2 }),
    });
    expect(add.status).toBe(201);
    const after = await app.request('/api/teams/1');
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(((await after.json()) as { members: unknown[] }).members).toHaveLength(before.members.length + 1);
  });

  it('the admin flush empties it and says how much', async () => {
    const { app, cache } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    await app.request('/api/users/1');
    await app.request('/api/users/2');
    const flush = await app.request('/admin/cache/flush', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(flush.status).toBe(200);
    expect(await flush.json()).toEqual({ flushed: 2, cache: 'on', workersFlushed: 1, complete: true });
    expect(cache.stats().size).toBe(0);
    expect((await app.request('/api/users/1')).headers.get('x-cache')).toBe('miss');
  });

  it('entries expire after the TTL on the injected clock', async () => {
    const { app, clock } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }), 1000);
    await app.request('/api/users/1');
    clock.nowMs += 999;
    expect((await app.request('/api/users/1')).headers.get('x-cache')).toBe('hit');
    clock.nowMs += 2;
    expect((await app.request('/api/users/1')).headers.get('x-cache')).toBe('miss');
  });

  it('caches an unknown id as a 404 until that id is created', async () => {
    const { app } = createCachedTestApp(createMemoryStore({ users: 10, teams: 2 }));
    expect((await app.request('/api/users/11')).status).toBe(404);
    const cached = await app.request('/api/users/11');
    expect([cached.status, cached.headers.get('x-cache')]).toEqual([404, 'hit']);
    const created = await app.request('/api/users', {
      method: 'POST',
      headers: writeHeaders,
      body: JSON.stringify({ email: 'eleven@example.test', name: 'Eleven', password: 'long-enough' }),
    });
    expect(((await created.json()) as { id: number }).id).toBe(11);
    expect((await app.request('/api/users/11')).status).toBe(200);
  });
});

describe('withCache', () => {
  /** Counts the loads that reach the inner store, and can hold them until released. */
  function countingStore(inner: Store) {
    const loads = { getUser: 0 };
    let release: () => void = () => undefined;
    let gate: Promise<void> | undefined;
    const store: Store = {
      ...inner,
      async getUser(id) {
        loads.getUser += 1;
        if (gate) await gate;
        return inner.getUser(id);
      },
    };
    const hold = () => {
      gate = new Promise((resolve) => (release = resolve));
    };
    return { store, loads, hold, release: () => release() };
  }

  it('concurrent misses on one key make one load', async () => {
    const counted = countingStore(createMemoryStore({ users: 5, teams: 1 }));
    const cache = withCache(counted.store, { max: 100, ttlMs: 60_000 });
    counted.hold();
    const reads = Promise.all([cache.getUser(1), cache.getUser(1), cache.getUser(1)]);
    counted.release();
    const users = await reads;
    expect(users.map((u) => u?.id)).toEqual([1, 1, 1]);
    expect(counted.loads.getUser).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 3, size: 1 });
  });

  it('a write during a load keeps the loaded value out of the cache', async () => {
    const counted = countingStore(createMemoryStore({ users: 5, teams: 1 }));
    const cache = withCache(counted.store, { max: 100, ttlMs: 60_000 });
    counted.hold();
    const stale = cache.getUser(2);
    await cache.updateUser(2, { name: 'During' });
    counted.release();
    await stale;
    const ctx: { cache?: 'hit' | 'miss' } = {};
    const fresh = await cache.getUser(2, ctx);
    expect(ctx.cache).toBe('miss');
    expect(fresh?.name).toBe('During');
  });
});

describe('byte bound (CACHE_MAX_BYTES)', () => {
  it('evicts the least recently used entries once the cached JSON passes maxBytes, whatever the entry count', async () => {
    const store = createMemoryStore({ users: 10, teams: 1 });
    const oneUserBytes = jsonBytes(await store.getUser(1));
    // Room for two users (seeded users' JSON differs by a byte or two), far under the entry bound.
    const cache = withCache(store, { max: 1000, maxBytes: Math.floor(oneUserBytes * 2.5), ttlMs: 60_000 });
    for (const id of [1, 2, 3]) await cache.getUser(id);
    expect(cache.stats().size).toBe(2);
    expect(cache.stats().bytes).toBeGreaterThan(0);
    expect(cache.stats().bytes).toBeLessThanOrEqual(Math.floor(oneUserBytes * 2.5));
    const ctx = (): { cache?: 'hit' | 'miss' } => ({});
    const third = ctx();
    await cache.getUser(3, third);
    expect(third.cache).toBe('hit');
    const first = ctx();
    await cache.getUser(1, first);
    expect(first.cache).toBe('miss'); // evicted by bytes, not by count
  });

  it('counts nothing against bytes without a byte bound', async () => {
    const cache = withCache(createMemoryStore({ users: 3, teams: 1 }), { max: 10, ttlMs: 60_000 });
    await cache.getUser(1);
    expect(cache.stats()).toMatchObject({ size: 1, bytes: 0 });
  });
});

describe('workers linked as one cache', () => {
  /** Caches over one store whose peers apply each op to every other cache at once, as the primary's relay does. */
  function linkedCaches(count: number) {
    const store = createMemoryStore({ users: 10, teams: 2 });
    const caches: CachedStore[] = [];
    const appliers: Array<(op: CacheOp) => number> = [];
    const sent: CacheOp[] = [];
    for (let i = 0; i < count; i++) {
      const peers: CachePeers = {
        async broadcast(op) {
          sent.push(op);
          const others = appliers.filter((_, j) => j !== i);
          const entries = others.reduce((sum, apply) => sum + apply(op), 0);
          return { asked: others.length, applied: others.length, entries, timedOut: false };
        },
        serve: (apply) => void (appliers[i] = apply),
      };
      caches.push(withCache(store, { max: 100, ttlMs: 60_000, peers }));
    }
    return { caches, sent };
  }
  const read = async (cache: CachedStore, id: number) => {
    const ctx: { cache?: 'hit' | 'miss' } = {};
    const user = await cache.getUser(id, ctx);
    return { name: user?.name, cache: ctx.cache };
  };

  it('flushAll empties every worker and counts them and their entries', async () => {
    const { caches } = linkedCaches(3);
    for (const cache of caches) await cache.getUser(1);
    await caches[1]!.getUser(2);
    expect(await caches[0]!.flushAll()).toEqual({ entries: 4, workers: 3, complete: true });
    for (const cache of caches) expect(cache.stats().size).toBe(0);
  });

  it("a write through one worker drops the user from the others' caches before it resolves", async () => {
    const { caches, sent } = linkedCaches(2);
    const [a, b] = caches as [CachedStore, CachedStore];
    await b.getUser(4);
    await b.listUsers({ limit: 5 });
    expect(await read(b, 4)).toMatchObject({ cache: 'hit' });
    await a.updateUser(4, { name: 'Renamed' });
    expect(sent).toEqual([{ kind: 'invalidate', invalidation: { bump: ['users'], userId: 4 } }]);
    expect(await read(b, 4)).toEqual({ name: 'Renamed', cache: 'miss' });
    const ctx: { cache?: 'hit' | 'miss' } = {};
    expect((await b.listUsers({ limit: 5 }, ctx)).find((u) => u.id === 4)?.name).toBe('Renamed');
    expect(ctx.cache).toBe('miss');
  });

  it("a user created through one worker replaces the others' cached 404", async () => {
    const { caches } = linkedCaches(2);
    const [a, b] = caches as [CachedStore, CachedStore];
    expect(await read(b, 11)).toEqual({ name: undefined, cache: 'miss' });
    expect(await read(b, 11)).toEqual({ name: undefined, cache: 'hit' });
    await a.createUser({ email: 'eleven@example.test', name: 'Eleven', passwordHash: 'x' });
    expect(await read(b, 11)).toEqual({ name: 'Eleven', cache: 'miss' });
  });

  it("a new member through one worker drops that team from the others' caches", async () => {
    const { caches } = linkedCaches(2);
    const [a, b] = caches as [CachedStore, CachedStore];
    const before = (await b.getTeam(1))!.members.length;
    await a.addMember(1, 2, 'member'); // user 2 is in team 2 only
    const ctx: { cache?: 'hit' | 'miss' } = {};
    expect((await b.getTeam(1, ctx))!.members).toHaveLength(before + 1);
    expect(ctx.cache).toBe('miss');
  });
});

describe('a replacement starts with the cache of the worker it replaces (dump → seed)', () => {
  const read = async (cache: CachedStore, id: number) => {
    const ctx: { cache?: 'hit' | 'miss' } = {};
    const user = await cache.getUser(id, ctx);
    return { name: user?.name, cache: ctx.cache };
  };
  /** A store that counts its reads of users, so a test can tell a hit from a load. */
  function counting(store: Store) {
    const loads = { getUser: 0, listUsers: 0 };
    return {
      loads,
      store: {
        ...store,
        getUser: (id: number) => ((loads.getUser += 1), store.getUser(id)),
        listUsers: (page: Parameters<Store['listUsers']>[0]) => ((loads.listUsers += 1), store.listUsers(page)),
      },
    };
  }

  it('serves the donor’s users, cached 404s and list pages as hits, with no load', async () => {
    const { store, loads } = counting(createMemoryStore({ users: 10, teams: 2 }));
    const donor = withCache(store, { max: 100, ttlMs: 60_000 });
    const three = await donor.getUser(3);
    await donor.getUser(99); // unknown: cached as a 404
    await donor.updateUser(4, { name: 'Moved on' }); // bumps the users generation
    await donor.listUsers({ limit: 5 });
    const seed = donor.dump();
    expect(seed.gen).toEqual({ users: 1, teams: 0, members: 0 });
    expect(seed.entries.map(([key]) => key)).toEqual(['user:3', 'user:99', 'users:1:5::']);
    expect(seed.entries[1]![1]).toBeNull();

    const before = { ...loads };
    const heir = withCache(store, { max: 100, ttlMs: 60_000, seed });
    expect(await read(heir, 3)).toEqual({ name: three!.name, cache: 'hit' });
    expect(await read(heir, 99)).toEqual({ name: undefined, cache: 'hit' });
    const ctx: { cache?: 'hit' | 'miss' } = {};
    expect((await heir.listUsers({ limit: 5 }, ctx)).find((u) => u.id === 4)?.name).toBe('Moved on');
    expect(ctx.cache).toBe('hit');
    expect(loads).toEqual(before);
    expect(heir.stats()).toMatchObject({ size: 3, hits: 3, misses: 0 });
  });

  it('keeps what was left of each TTL, not a fresh one, and the byte bound', async () => {
    const clock = { nowMs: 1_000_000 };
    const perf = { now: () => clock.nowMs };
    const donor = withCache(createMemoryStore({ users: 10, teams: 2 }), { max: 100, ttlMs: 60_000, perf });
    await donor.getUser(1);
    clock.nowMs += 40_000;
    await donor.getUser(2);
    const seed = donor.dump();
    expect(seed.entries).toEqual([
      ['user:1', expect.objectContaining({ id: 1 }), 20_000],
      ['user:2', expect.objectContaining({ id: 2 }), 60_000],
    ]);

    const heirClock = { nowMs: 5_000_000 };
    const heir = withCache(createMemoryStore({ users: 10, teams: 2 }), {
      max: 100,
      ttlMs: 60_000,
      maxBytes: 10_000,
      seed,
      perf: { now: () => heirClock.nowMs },
    });
    expect(heir.stats().bytes).toBe(jsonBytes(seed.entries[0]![1]) + jsonBytes(seed.entries[1]![1]));
    heirClock.nowMs += 20_001;
    expect(await read(heir, 1)).toMatchObject({ cache: 'miss' });
    expect(await read(heir, 2)).toMatchObject({ cache: 'hit' });
  });

  it('keeps the donor’s recency: the least recently used entry is evicted first', async () => {
    const donor = withCache(createMemoryStore({ users: 10, teams: 2 }), { max: 3, ttlMs: 60_000 });
    for (const id of [1, 2, 3]) await donor.getUser(id);
    await donor.getUser(1); // now 2 is the least recently used
    const heir = withCache(createMemoryStore({ users: 10, teams: 2 }), { max: 3, ttlMs: 60_000, seed: donor.dump() });
    await heir.getUser(4);
    expect(await read(heir, 1)).toMatchObject({ cache: 'hit' });
    expect(await read(heir, 3)).toMatchObject({ cache: 'hit' });
    expect(await read(heir, 2)).toMatchObject({ cache: 'miss' });
  });

  it('an op its peers relayed before it existed is applied after the seed, so nothing stale is served', async () => {
    const store = createMemoryStore({ users: 10, teams: 2 });
    const donor = withCache(store, { max: 100, ttlMs: 60_000 });
    await donor.getUser(5);
    const seed = donor.dump();
    await store.updateUser(5, { name: 'Changed meanwhile' });
    let early: ((op: CacheOp) => number) | undefined;
    const peers: CachePeers = {
      broadcast: async () => ({ asked: 0, applied: 0, entries: 0, timedOut: false }),
      // As the IPC end does: ops that came before the cache existed are applied as soon as it serves.
      serve: (apply) => {
        early = apply;
        apply({ kind: 'invalidate', invalidation: { bump: ['users'], userId: 5 } });
      },
    };
    const heir = withCache(store, { max: 100, ttlMs: 60_000, seed, peers });
    expect(early).toBeDefined();
    expect(await read(heir, 5)).toEqual({ name: 'Changed meanwhile', cache: 'miss' });
  });
});
