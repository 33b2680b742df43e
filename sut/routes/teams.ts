// /api/teams: list, get with members, create (the creator becomes its owner), add a member (its
// owner or admins, or the operator with ADMIN_TOKEN).
import { Hono } from 'hono';
import { z } from 'zod';
import { type AccessEnv, authenticate, requireTeamManager } from '../auth/access.ts';
import type { ReadContext } from '../data/store.ts';
import { AuthError, NotFoundError } from '../errors.ts';
import { type AppDeps, type AppEnv, cachedJson, readOne } from './deps.ts';
import { cleanText, nextCursor, parseId, parsePage, readJson } from './input.ts';

const createSchema = z.strictObject({ name: cleanText(1, 100) });
const memberSchema = z.strictObject({
  userId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  role: z.enum(['owner', 'admin', 'member']).default('member'),
});

export function teamRoutes(deps: AppDeps): Hono<AppEnv & AccessEnv> {
  const { store } = deps;
  const app = new Hono<AppEnv & AccessEnv>();
  const auth = authenticate(deps);

  app.get('/', async (c) => {
    const page = parsePage(c);
    const ctx: ReadContext = {};
    const items = await store.listTeams(page, ctx);
    return cachedJson(c, { items, nextCursor: nextCursor(items, page.limit) }, ctx);
  });

  // Not async: a cache hit is answered synchronously.
  app.get('/:id', (c): Response | Promise<Response> => {
    const id = parseId(c.req.param('id'));
    const ctx: ReadContext = {};
    return readOne(c, `team ${id}`, store.getTeamNow?.(id, ctx), () => store.getTeam(id, ctx), ctx);
  });

  app.post('/', auth, async (c) => {
    const { name } = await readJson(c, createSchema);
    const principal = c.get('principal');
    // A token outlives a deleted account: such a caller would found a team nobody owns.
    if (principal.kind === 'user' && !(await store.getUser(principal.userId))) {
      throw new AuthError('SUT_UNAUTHORIZED', `the account of this token (user ${principal.userId}) no longer exists`);
    }
    const team = await store.createTeam(name);
    if (principal.kind === 'user') await store.addMember(team.id, principal.userId, 'owner');
    return c.json(team, 201);
  });

  app.post('/:id/members', auth, async (c) => {
    const teamId = parseId(c.req.param('id'));
    const { userId, role } = await readJson(c, memberSchema);
    const principal = c.get('principal');
    if (principal.kind === 'user') {
      // Through the cache: in a cluster, a role granted on another worker shows here within CACHE_TTL_MS.
      const team = await store.getTeam(teamId);
      if (!team) throw new NotFoundError(`team ${teamId}`);
      requireTeamManager(principal, teamId, team.members, role);
    }
    return c.json(await store.addMember(teamId, userId, role), 201);
  });

  return app;
}
