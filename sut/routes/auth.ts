// /api/auth/login: email + password → a bearer token for the write routes.
import { Hono } from 'hono';
import { z } from 'zod';
import { checkLogin } from '../auth/password.ts';
import { AuthError } from '../errors.ts';
import type { AppDeps, AppEnv } from './deps.ts';
import { plainText, readJson } from './input.ts';

const loginSchema = z.strictObject({
  email: plainText().trim().toLowerCase().min(1).max(254),
  password: plainText().min(1).max(128),
});

export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/login', async (c) => {
    const { email, password } = await readJson(c, loginSchema);
    const credentials = await deps.store.findCredentials(email);
    // Same answer, and the same scrypt, for an unknown email and a wrong password: neither the body
    // nor the response time tells which accounts exist.
    if (!(await checkLogin(password, credentials?.passwordHash ?? null)) || !credentials) {
      throw new AuthError('SUT_UNAUTHORIZED', 'wrong email or password');
    }
    const { token, expiresAt } = deps.tokens.issue(credentials.userId);
    return c.json({ token, tokenType: 'Bearer', expiresAt, userId: credentials.userId });
  });
  return app;
}
