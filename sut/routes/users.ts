// /api/users: list (offset or cursor), search by prefix, get, create, update and delete (only oneself,
// or the operator with ADMIN_TOKEN).
import { Hono } from 'hono';
import { z } from 'zod';
import { type AccessEnv, authenticate, requireSelf } from '../auth/access.ts';
import { hashPassword } from '../auth/password.ts';
import type { ReadContext } from '../data/store.ts';
import { NotFoundError } from '../errors.ts';
import { type AppDeps, type AppEnv, cachedJson, readOne } from './deps.ts';
import { cleanText, nextCursor, parseId, parseLimit, parsePage, plainText, readJson } from './input.ts';
import { ValidationError } from '../errors.ts';

const email = plainText().trim().toLowerCase().max(254).pipe(z.email());
const createSchema = z.strictObject({
  email,
  name: cleanText(1, 100),
  password: plainText().min(8).max(128),
});
const updateSchema = z
  .strictObject({ email: email.optional(), name: cleanText(1, 100).optional() })
  .refine((patch) => patch.email !== undefined || patch.name !== undefined, 'send at least one of email, name');

export function userRoutes(deps: AppDeps): Hono<AppEnv & AccessEnv> {
  const { store } = deps;
  const app = new Hono<AppEnv & AccessEnv>();
  const auth = authenticate(deps);

  app.get('/', async (c) => {
    const page = parsePage(c);
    const ctx: ReadContext = {};
    const items = await store.listUsers(page, ctx);
    return cachedJson(c, { items, nextCursor: nextCursor(items, page.limit) }, ctx);
  });

  app.get('/search', async (c) => {
    const q = c.req.query('q');
    const parsed = cleanText(1, 100).safeParse(q ?? '');
    if (!parsed.success) throw new ValidationError('q must be 1-100 characters of text (a name or email prefix)');
    const ctx: ReadContext = {};
    const items = await store.searchUsers(parsed.data, parseLimit(c), ctx);
    return cachedJson(c, { items }, ctx);
  });

  // Not async: a cache hit is answered synchronously.
  app.get('/:id', (c): Response | Promise<Response> => {
    const id = parseId(c.req.param('id'));
    const ctx: ReadContext = {};
    return readOne(c, `user ${id}`, store.getUserNow?.(id, ctx), () => store.getUser(id, ctx), ctx);
  });

  app.post('/', auth, async (c) => {
    const input = await readJson(c, createSchema);
    const user = await store.createUser({
      email: input.email,
      name: input.name,
      passwordHash: await hashPassword(input.password),
    });
    return c.json(user, 201);
  });

  app.put('/:id', auth, async (c) => {
    const id = parseId(c.req.param('id'));
    requireSelf(c.get('principal'), id);
    const patch = await readJson(c, updateSchema);
    const user = await store.updateUser(id, patch);
    if (!user) throw new NotFoundError(`user ${id}`);
    return c.json(user);
  });

  app.delete('/:id', auth, async (c) => {
    const id = parseId(c.req.param('id'));
    requireSelf(c.get('principal'), id);
    if (!(await store.deleteUser(id))) throw new NotFoundError(`user ${id}`);
    return c.json({ id, deleted: true });
  });

  return app;
}
