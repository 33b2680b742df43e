// Operational routes: liveness, and the admin cache flush (every worker of the node) used before cold-cache runs.
import { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../auth/token.ts';
import { AuthError } from '../errors.ts';
import type { AppDeps, AppEnv } from './deps.ts';

/** The cache as the flush route uses it: a cached store also flushes the node's other workers. */
interface FlushableCache {
  flush(): number;
  flushAll?(): Promise<{ entries: number; workers: number; complete: boolean }>;
}

export function opsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/health', (c) => c.json({ status: 'ok', timestamp: new Date().toISOString() }));

  app.get('/ready', async (c) => {
    const { ready, reasons } = deps.readiness
      ? await deps.readiness.check()
      : await deps.store.ping().then(
          () => ({ ready: true, reasons: [] as string[] }),
          (err: Error) => ({ ready: false, reasons: [`database unreachable: ${err.message}`] }),
        );
    return c.json({ status: ready ? 'ready' : 'not ready', reasons }, ready ? 200 : 503);
  });

  app.get('/api/health/worker', (c) => c.json({ nodeId: deps.nodeId, workerId: deps.workerId, pid: process.pid }));

  app.get('/metrics', async (c) => {
    if (!deps.metrics)
      return c.json(
        { error: { code: 'SUT_ROUTE_NOT_FOUND', message: 'metrics are not enabled in this process' } },
        404,
      );
    const { contentType, body } = await deps.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  });

  app.post('/admin/cache/flush', async (c) => {
    if (!deps.adminToken)
      throw new AuthError('SUT_FORBIDDEN', 'admin routes are disabled: start the SUT with ADMIN_TOKEN set');
    const given = Buffer.from(bearerToken(c.req.header('authorization')));
    const expected = Buffer.from(deps.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AuthError('SUT_FORBIDDEN', 'this route needs the admin token (ADMIN_TOKEN)');
    }
    const cache: FlushableCache | undefined = deps.cache;
    if (!cache) return c.json({ flushed: 0, cache: 'off', workersFlushed: 0, complete: true });
    // Answers once every worker of the node is empty (or the relay's timeout passed: complete false), so a cold
    // run started after this answer starts cold on every worker.
    const done = cache.flushAll ? await cache.flushAll() : { entries: cache.flush(), workers: 1, complete: true };
    return c.json({ flushed: done.entries, cache: 'on', workersFlushed: done.workers, complete: done.complete });
  });

  return app;
}
