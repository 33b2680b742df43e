// What the routes need from the outside world, injected so routes run in-process in tests.
import type { Context, MiddlewareHandler } from 'hono';
import type { TokenService } from '../auth/token.ts';
import { bearerToken } from '../auth/token.ts';
import type { ReadContext, Store } from '../data/store.ts';
import { NotFoundError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Readiness } from '../runtime/readiness.ts';

export interface AppDeps {
  store: Store;
  tokens: TokenService;
  log: Logger;
  nodeId: string;
  workerId: string;
  bodyLimitBytes: number;
  /** Present when admin routes are enabled (ADMIN_TOKEN set). */
  adminToken?: string;
  /** Present when a cache is in front of the store. */
  cache?: { flush(): number };
  /** Present in a serving process; without it /ready only reports the database. */
  readiness?: Readiness;
  /** Prometheus text for GET /metrics (cluster-wide in a cluster worker). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Times requests for the metrics; runs before every route. */
  metricsMiddleware?: MiddlewareHandler;
}

export type AppEnv = { Variables: { userId: number } };

/** Rejects a write without a valid bearer token (401) before its body is read. */
export function requireAuth(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const claims = deps.tokens.verify(bearerToken(c.req.header('authorization')));
    c.set('userId', claims.sub);
    await next();
  };
}

/** Sets `x-cache` from what the caching layer reported for this request's read. */
export function cacheHeader(c: Context, ctx: ReadContext): void {
  if (ctx.cache) c.header('x-cache', ctx.cache);
}

/**
 * A read's 200: its JSON with `x-cache` from what the caching layer reported. The headers go as a plain object,
 * which @hono/node-server writes as it is; c.header() would build a Headers per response, then convert it back.
 */
export function cachedJson(c: Context, body: unknown, ctx: ReadContext): Response {
  if (!ctx.cache) return c.json(body);
  return jsonAnswer(JSON.stringify(body), ctx.cache);
}

/**
 * A read of one id: from memory at once when the store can (`now`, a cache hit: answered synchronously), else
 * through `load`; then foundOr404.
 */
export function readOne(
  c: Context,
  what: string,
  now: object | null | undefined,
  load: () => Promise<object | null>,
  ctx: ReadContext,
): Response | Promise<Response> {
  if (now !== undefined) return foundOr404(c, now, ctx, what);
  return load().then((value) => foundOr404(c, value, ctx, what));
}

/**
 * A read of one id: its 200, or the 404 of `what` (with its `x-cache`: a 404 is cached too). A value from the cache
 * is the cache's own object, the same for every reader and never changed (a write replaces it), so its JSON is made
 * once and kept beside it for the next hit.
 */
function foundOr404(c: Context, value: object | null, ctx: ReadContext, what: string): Response {
  if (value === null) {
    cacheHeader(c, ctx);
    throw new NotFoundError(what);
  }
  if (!ctx.cache) return c.json(value);
  let json = jsonOfCached.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    jsonOfCached.set(value, json);
  }
  return jsonAnswer(json, ctx.cache);
}

const jsonOfCached = new WeakMap<object, string>();

function jsonAnswer(json: string, cache: 'hit' | 'miss'): Response {
  return new Response(json, { status: 200, headers: { 'content-type': 'application/json', 'x-cache': cache } });
}
