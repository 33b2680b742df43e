// One handler per route: what every request needs around the route's own handlers — rate limit, admission, body
// limit, timing, coded errors — in one step, so Hono runs no middleware chain. A route that answers synchronously
// (/health) is then answered synchronously, and @hono/node-server writes it on its fast path; a chain of async
// middleware made every request a promise chain (see README, Benchmarks).
import type { Context, Handler, MiddlewareHandler, Next } from 'hono';
import type { RequestMetrics, RouteRecorder } from './metrics.ts';
import { OVERLOADED_RETRY_AFTER_SEC, UNGUARDED_PATHS, type LoadCounts, type RateLimiter } from './overload.ts';

/** A route as Hono lists it once mounted: its full path pattern and its handlers in order. */
export interface RouteSpec {
  method: string;
  path: string;
  handlers: Handler[];
}

export interface RouteServing {
  load: LoadCounts;
  metrics?: RequestMetrics;
  /** Present when RATE_LIMIT_RPS is on. */
  limiter?: RateLimiter;
  /** 0: admission control off. */
  maxInFlight: number;
  /** Runs before the handlers of a route whose method has a body. */
  bodyLimit: MiddlewareHandler;
  /** The app's error handler: a thrown error becomes its coded JSON answer here, so its status is timed. */
  onError(err: unknown, c: Context): Response;
  /** The 503 or 429 answer, with Retry-After. */
  reject(c: Context, code: 'SUT_OVERLOADED' | 'SUT_RATE_LIMITED', retryAfterSec: number): Response;
}

type Answer = Response | Promise<Response>;

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

/** Groups Hono's flat route list (one entry per handler) into one spec per method and path, in order. */
export function groupRoutes(routes: readonly { method: string; path: string; handler: Handler }[]): RouteSpec[] {
  const byKey = new Map<string, RouteSpec>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    const spec = byKey.get(key) ?? { method: r.method, path: r.path, handlers: [] };
    spec.handlers.push(r.handler);
    byKey.set(key, spec);
  }
  return [...byKey.values()];
}

/** The one handler Hono runs for `spec`; a switched-off guard is one comparison per request. */
export function serveRoute(spec: RouteSpec, s: RouteServing): Handler {
  const handlers = METHODS_WITHOUT_BODY.has(spec.method) ? spec.handlers : [s.bodyLimit, ...spec.handlers];
  const run = chainOf(handlers);
  if (spec.path === '/metrics') return (c) => answer(run, c, s); // a scrape is neither timed nor counted
  const recorder = s.metrics?.route(spec.method, spec.path);
  const guarded = !UNGUARDED_PATHS.has(spec.path);
  const limiter = guarded ? s.limiter : undefined;
  const maxInFlight = guarded ? s.maxInFlight : 0;
  const { load } = s;
  return (c) => {
    const startMs = performance.now();
    if (limiter !== undefined) {
      const client = clientAddress(c);
      if (!limiter.take(client)) {
        load.limited += 1;
        return done(s.reject(c, 'SUT_RATE_LIMITED', limiter.retryAfterSec(client)), startMs, recorder);
      }
    }
    if (maxInFlight > 0 && load.inFlight >= maxInFlight) {
      load.shed += 1;
      return done(s.reject(c, 'SUT_OVERLOADED', OVERLOADED_RETRY_AFTER_SEC), startMs, recorder);
    }
    load.inFlight += 1;
    let out: Answer;
    try {
      out = run(c);
    } catch (err) {
      return finish(load, failed(err, c, s), startMs, recorder);
    }
    if (!(out instanceof Promise)) return finish(load, out, startMs, recorder);
    // One reaction for both outcomes: a catch() then a then() cost an extra promise and microtask per request.
    return out.then(
      (res) => finish(load, res, startMs, recorder),
      (err: unknown) => finish(load, failed(err, c, s), startMs, recorder),
    );
  };
}

/** The route's answer, with a thrown error (sync or async) turned into its coded response (for /metrics). */
function answer(run: (c: Context) => Answer, c: Context, s: RouteServing): Answer {
  let out: Answer;
  try {
    out = run(c);
  } catch (err) {
    return failed(err, c, s);
  }
  return out instanceof Promise ? out.catch((err: unknown) => failed(err, c, s)) : out;
}

/** The error handler's answer; a bare 500 should it throw itself, so the in-flight count always comes down. */
function failed(err: unknown, c: Context, s: RouteServing): Response {
  try {
    return s.onError(err, c);
  } catch {
    return new Response(null, { status: 500 });
  }
}

function finish(load: LoadCounts, res: Response, startMs: number, recorder: RouteRecorder | undefined): Response {
  load.inFlight -= 1;
  return done(res, startMs, recorder);
}

function done(res: Response, startMs: number, recorder: RouteRecorder | undefined): Response {
  recorder?.observe(res.status, (performance.now() - startMs) / 1000);
  return res;
}

/** The address the connection comes from (behind a load balancer, the balancer's); in-process requests share one. */
function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'in-process';
}

const endOfChain: Next = () => Promise.reject(new Error('a route handler called next() past the last handler'));

/** The handlers as Hono's compose would run them; a single handler is called directly (it may answer synchronously). */
function chainOf(handlers: readonly Handler[]): (c: Context) => Answer {
  if (handlers.length === 1) {
    const only = handlers[0]!;
    return (c) => only(c, endOfChain) as Answer;
  }
  const runFrom = async (i: number, c: Context): Promise<Response> => {
    const next: Next =
      i + 1 < handlers.length
        ? async () => {
            const inner = await runFrom(i + 1, c);
            if (!c.finalized) c.res = inner;
          }
        : endOfChain;
    const res = (await handlers[i]!(c, next)) as Response | undefined;
    return res ?? c.res; // a middleware that called next() answers with what the rest set
  };
  return (c) => runFrom(0, c);
}
