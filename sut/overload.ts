// What a worker does beyond capacity, as a lab switches it: admission control (MAX_IN_FLIGHT) and a per-client
// rate limit (RATE_LIMIT_RPS); both off by default, when requests queue and slow down instead.

/** Never shed or limited: a balancer's health checks and the scrapes must see an overloaded worker as it is. */
export const UNGUARDED_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/** Retry-After (seconds) on a 503 SUT_OVERLOADED: in-flight requests of a fast API end well within it. */
export const OVERLOADED_RETRY_AFTER_SEC = 1;

/** The live counts of one worker's app, read by /metrics at each scrape (plain numbers: no per-request metric call). */
export interface LoadCounts {
  /** Requests being answered now (every route but /metrics). */
  inFlight: number;
  /** Answered 503 SUT_OVERLOADED. */
  shed: number;
  /** Answered 429 SUT_RATE_LIMITED. */
  limited: number;
}

export function createLoadCounts(): LoadCounts {
  return { inFlight: 0, shed: 0, limited: 0 };
}

export interface RateLimiter {
  /** True when `client` may have one more request now (and takes it); false when it is over the rate. */
  take(client: string): boolean;
  /** Whole seconds until `client` may send again (at least 1). */
  retryAfterSec(client: string): number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Past this many clients, the ones idle for a second (a full bucket: the same as a new one) are forgotten. */
const PRUNE_ABOVE_CLIENTS = 10_000;

/**
 * A token bucket per client: `ratePerSec` tokens a second, holding one second's worth (at least one token), so a
 * client may burst up to `ratePerSec` requests and then gets one every 1/ratePerSec seconds.
 */
export function createRateLimiter(ratePerSec: number, nowMs: () => number = () => performance.now()): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const capacity = Math.max(1, ratePerSec);
  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.atMs) * ratePerSec) / 1000);
    bucket.atMs = now;
  };
  const prune = (now: number) => {
    for (const [client, bucket] of buckets) if (now - bucket.atMs >= 1000) buckets.delete(client);
  };
  return {
    take(client) {
      const now = nowMs();
      let bucket = buckets.get(client);
      if (bucket === undefined) {
        if (buckets.size >= PRUNE_ABOVE_CLIENTS) prune(now);
        bucket = { tokens: capacity, atMs: now };
        buckets.set(client, bucket);
      } else refill(bucket, now);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    retryAfterSec(client) {
      const bucket = buckets.get(client);
      if (bucket === undefined) return 1;
      refill(bucket, nowMs());
      return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSec));
    },
  };
}
