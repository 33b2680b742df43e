// The SUT's HTTP application: mounts the routes, each behind one handler that times, guards and answers it
// (route-handler.ts), and turns every failure into a coded JSON error.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import { ERROR_CODES, SutError, type SutErrorCode } from './errors.ts';
import type { RequestMetrics } from './metrics.ts';
import { createLoadCounts, createRateLimiter } from './overload.ts';
import { groupRoutes, serveRoute, type RouteSpec } from './route-handler.ts';
import { FixedPathFirstRouter } from './router.ts';
import { authRoutes } from './routes/auth.ts';
import type { AppDeps, AppEnv } from './routes/deps.ts';
import { opsRoutes } from './routes/ops.ts';
import { taskRoutes, type TaskDeps } from './routes/tasks.ts';
import { teamRoutes } from './routes/teams.ts';
import { userRoutes } from './routes/users.ts';

export type { AppDeps } from './routes/deps.ts';

const errorBody = (code: SutErrorCode, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** What a serving worker adds to the routes' dependencies. */
export interface ServingOptions {
  /** Times each request by route and status (createWorkerMetrics().requests); counts load for /metrics. */
  requestMetrics?: RequestMetrics;
  /** Admission control: above this many requests in progress, 503 SUT_OVERLOADED at once; 0 or unset: off. */
  maxInFlight?: number;
  /** Requests per second per client address, above which 429 SUT_RATE_LIMITED; 0 or unset: off. */
  rateLimitRps?: number;
}

/** The headers every response carries: which node and worker answered. */
export function identityHeaders(nodeId: string, workerId: string): Readonly<Record<string, string>> {
  return Object.freeze({ 'x-node-id': nodeId, 'x-worker-id': workerId });
}

export function createApp(deps: AppDeps & TaskDeps & ServingOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.route('/', opsRoutes(deps));
  routes.route('/api/auth', authRoutes(deps));
  routes.route('/api/users', userRoutes(deps));
  routes.route('/api/teams', teamRoutes(deps));
  routes.route('/api/tasks', taskRoutes(deps));
  const specs = groupRoutes(routes.routes);

  const onError = (err: unknown, c: Context): Response => {
    if (err instanceof SutError) {
      const log = (line: string) => (err.status >= 500 ? deps.log.error(line) : deps.log.debug(line));
      log(`${c.req.method} ${c.req.path} → ${err.status} ${err.code}: ${err.message}`);
      return c.json(errorBody(err.code, err.message, err.details), err.status as 400);
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Hono's own 4xx (e.g. a malformed request it rejected): keep the status, use our shape.
      return c.json(errorBody('SUT_VALIDATION', err.message || 'bad request'), err.status);
    }
    deps.log.error(`${c.req.method} ${c.req.path} → 500`, err);
    return c.json(errorBody('SUT_INTERNAL', ERROR_CODES.SUT_INTERNAL.meaning), 500);
  };
  const serving = {
    load: deps.requestMetrics?.load ?? createLoadCounts(),
    metrics: deps.requestMetrics,
    limiter: deps.rateLimitRps ? createRateLimiter(deps.rateLimitRps) : undefined,
    maxInFlight: deps.maxInFlight ?? 0,
    // Only where a body is read: the limiter wraps the request stream, which on a GET costs
    // three quarters of the throughput (measured: 36.7K → 8.9K req/s on /health).
    bodyLimit: bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) => c.json(errorBody('SUT_BODY_TOO_LARGE', `the body is over ${deps.bodyLimitBytes} bytes`), 413),
    }),
    onError,
    reject: (c: Context, code: 'SUT_OVERLOADED' | 'SUT_RATE_LIMITED', retryAfterSec: number) =>
      c.json(errorBody(code, rejectMessage(code, deps)), ERROR_CODES[code].status as 503, {
        'Retry-After': String(retryAfterSec),
      }),
  };

  const app = new Hono<AppEnv>({ router: new FixedPathFirstRouter() });
  // Kept for callers that still time requests with a middleware: it puts a chain in front of every route.
  if (deps.metricsMiddleware) app.use(deps.metricsMiddleware);
  for (const spec of specs) app.on(spec.method, spec.path, serveRoute(spec, serving));
  const allowedMethods = createAllowedMethods(specs);
  const unmatched = (method: string) => deps.requestMetrics?.route(method, 'unmatched');
  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    const res =
      allowed.length > 0 && !allowed.includes(c.req.method)
        ? c.json(
            errorBody('SUT_METHOD_NOT_ALLOWED', `${c.req.method} is not allowed here; use ${allowed.join(', ')}`),
            405,
            { Allow: allowed.join(', ') },
          )
        : c.json(errorBody('SUT_ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404);
    unmatched(c.req.method)?.observe(res.status, 0);
    return res;
  });
  app.onError(onError);
  return withIdentityInProcess(app, identityHeaders(deps.nodeId, deps.workerId));
}

function rejectMessage(code: 'SUT_OVERLOADED' | 'SUT_RATE_LIMITED', deps: ServingOptions): string {
  return code === 'SUT_OVERLOADED'
    ? `this worker is answering its maximum of ${deps.maxInFlight} requests at once (MAX_IN_FLIGHT); retry later`
    : `this client is over ${deps.rateLimitRps} requests per second (RATE_LIMIT_RPS); retry later`;
}

/** The methods some route answers on `path` (GET brings HEAD), for 405's Allow; empty when no route has the path. */
function createAllowedMethods(specs: readonly RouteSpec[]): (path: string) => string[] {
  const byPath = new Map<string, Set<string>>();
  for (const { method, path } of specs) {
    const methods = byPath.get(path) ?? new Set<string>();
    methods.add(method);
    if (method === 'GET') methods.add('HEAD');
    byPath.set(path, methods);
  }
  const router = new TrieRouter<string[]>();
  for (const [path, methods] of byPath) router.add('ALL', path, [...methods]);
  return (path) => [...new Set(router.match('ALL', path)[0].flatMap(([methods]) => methods))];
}

/**
 * Over a node server, startServer writes the identity headers with the status line (its `responseHeaders`):
 * setting them on each Response made Hono build a Headers object per request. Answered in-process
 * (`app.request()`, no node response), the app sets them itself.
 */
function withIdentityInProcess(app: Hono<AppEnv>, headers: Readonly<Record<string, string>>): Hono<AppEnv> {
  const fetch = app.fetch;
  const stamp = (res: Response) => {
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
    return res;
  };
  app.fetch = (request, env, executionCtx) => {
    const out = fetch(request, env, executionCtx);
    if ((env as { outgoing?: unknown } | undefined)?.outgoing !== undefined) return out;
    return out instanceof Promise ? out.then(stamp) : stamp(out);
  };
  return app;
}
