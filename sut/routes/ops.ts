// Operational routes: liveness, and the admin cache flush used before cold-cache runs.
import { Hono } from 'hono';
import { timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../auth/token.ts';
import { AuthError } from '../errors.ts';
import type { AppDeps, AppEnv } from './deps.ts';

export function opsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/health', (c) => c.json({ status: 'ok', timestamp: new Date().toISOString() }));

  app.post('/admin/cache/flush', (c) => {
    if (!deps.adminToken) throw new AuthError('SUT_FORBIDDEN', 'admin routes are disabled: start the SUT with ADMIN_TOKEN set');
    const given = Buffer.from(bearerToken(c.req.header('authorization')));
    const expected = Buffer.from(deps.adminToken);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AuthError('SUT_FORBIDDEN', 'this route needs the admin token (ADMIN_TOKEN)');
    }
    return c.json({ flushed: deps.cache ? deps.cache.flush() : 0, cache: deps.cache ? 'on' : 'off' });
  });

  return app;
}
