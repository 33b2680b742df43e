// /api/teams: list, get with members, create, add a member.
import { Hono } from 'hono';
import { z } from 'zod';
import type { ReadContext } from '../data/store.ts';
import { NotFoundError } from '../errors.ts';
import { type AppDeps, type AppEnv, cacheHeader, requireAuth } from './deps.ts';
import { cleanText, nextCursor, parseId, parsePage, readJson } from './input.ts';

const createSchema = z.strictObject({ name: cleanText(1, 100) });
const memberSchema = z.strictObject({
  userId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  role: z.enum(['owner', 'admin', 'member']).default('member'),
});

export function teamRoutes(deps: AppDeps): Hono<AppEnv> {
  const { store } = deps;
  const app = new Hono<AppEnv>();
  const auth = requireAuth(deps);

  app.get('/', async (c) => {
    const page = parsePage(c);
    const ctx: ReadContext = {};
    const items = await store.listTeams(page, ctx);
    cacheHeader(c, ctx);
    return c.json({ items, nextCursor: nextCursor(items, page.limit) });
  });

  app.get('/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const ctx: ReadContext = {};
    const team = await store.getTeam(id, ctx);
    cacheHeader(c, ctx);
    if (!team) throw new NotFoundError(`team ${id}`);
    return c.json(team);
  });

  app.post('/', auth, async (c) => {
    const { name } = await readJson(c, createSchema);
    return c.json(await store.createTeam(name), 201);
  });

  app.post('/:id/members', auth, async (c) => {
    const teamId = parseId(c.req.param('id'));
    const { userId, role } = await readJson(c, memberSchema);
    return c.json(await store.addMember(teamId, userId, role), 201);
  });

  return app;
}
