// /api/auth/login: email + password → a bearer token for the write routes.
import { Hono } from 'hono';
import { z } from 'zod';
import { verifyPassword } from '../auth/password.ts';
import { AuthError } from '../errors.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { readJson } from './input.ts';

const loginSchema = z.strictObject({
  email: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(128),
});

export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/login', async (c) => {
    const { email, password } = await readJson(c, loginSchema);
    const credentials = await deps.store.findCredentials(email);
    // Same answer for an unknown email and a wrong password, so logins cannot probe for users.
    if (!credentials || !(await verifyPassword(password, credentials.passwordHash))) {
      throw new AuthError('SUT_UNAUTHORIZED', 'wrong email or password');
    }
    const { token, expiresAt } = deps.tokens.issue(credentials.userId);
    return c.json({ token, tokenType: 'Bearer', expiresAt, userId: credentials.userId });
  });
  return app;
}
