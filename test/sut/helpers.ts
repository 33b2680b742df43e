// Test fixtures for the SUT: an in-process app over any store, with known tokens.
import { createApp } from '../../sut/app.ts';
import { createTokenService } from '../../sut/auth/token.ts';
import { withCache, type CachedStore } from '../../sut/cache/cached-store.ts';
import type { Store } from '../../sut/data/store.ts';
import { silentLogger } from '../../sut/log.ts';
import type { CaseTokens } from './bad-requests.ts';

export const TEST_SECRET = 'test-secret-for-loadlab-tests';
export const TEST_ADMIN_TOKEN = 'test-admin-token';
export const TEST_BODY_LIMIT = 4096;
/** The constant sut/config.ts fell back to when AUTH_SECRET was unset, before it made one per start. */
export const OLD_BUILT_IN_SECRET = 'loadlab-dev-secret-change-me';
const HOUR_MS = 3_600_000;

export function testTokens(): CaseTokens {
  const now = createTokenService(TEST_SECRET, 3600);
  const past = createTokenService(TEST_SECRET, 3600, () => Date.now() - 2 * HOUR_MS);
  const forged = createTokenService('some-other-secret-entirely', 3600);
  return {
    token: now.issue(1).token,
    expiredToken: past.issue(1).token,
    forgedToken: forged.issue(1).token,
    oldSecretToken: createTokenService(OLD_BUILT_IN_SECRET, 3600).issue(1).token,
    adminToken: TEST_ADMIN_TOKEN,
    bodyLimitBytes: TEST_BODY_LIMIT,
  };
}

export function createTestApp(store: Store, options: { cache?: CachedStore } = {}) {
  return createApp({
    store,
    cache: options.cache,
    tokens: createTokenService(TEST_SECRET, 3600),
    log: silentLogger,
    nodeId: 'test-node',
    workerId: '0',
    bodyLimitBytes: TEST_BODY_LIMIT,
    adminToken: TEST_ADMIN_TOKEN,
  });
}

/** A cached app, with a clock the test moves by hand for TTL expiry. */
export function createCachedTestApp(store: Store, ttlMs = 1000) {
  const clock = { nowMs: 1_000_000 }; // not 0: lru-cache reads a start time of 0 as "no TTL"
  const cache = withCache(store, { max: 1000, ttlMs, perf: { now: () => clock.nowMs } });
  return { app: createTestApp(cache, { cache }), cache, clock };
}
