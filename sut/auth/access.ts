// Who calls a write route and what they may do: a user (a bearer token from POST /api/auth/login)
// changes only their own account and runs only the teams they own or administer; the operator
// (Authorization: Bearer $ADMIN_TOKEN, when it is set) may do anything. Others get 403 SUT_FORBIDDEN.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Member, MemberRole } from '../data/store.ts';
import { AuthError } from '../errors.ts';
import { bearerToken, type TokenService } from './token.ts';

export type Principal = { readonly kind: 'admin' } | { readonly kind: 'user'; readonly userId: number };

/** What a route that ran `authenticate` can read: `c.get('principal')`. */
export type AccessEnv = { Variables: { principal: Principal } };

export interface AccessDeps {
  tokens: TokenService;
  /** ADMIN_TOKEN; unset: no caller is the operator. */
  adminToken?: string;
}

const ADMIN: Principal = Object.freeze({ kind: 'admin' });

/** 401 without a valid bearer token, before the body is read; sets `principal` otherwise. */
export function authenticate(deps: AccessDeps): MiddlewareHandler<AccessEnv> {
  return async (c, next) => {
    c.set('principal', principalOf(deps, c.req.header('authorization')));
    await next();
  };
}

/** The caller behind an Authorization header: the operator, or the user a valid token names. */
export function principalOf(deps: AccessDeps, header: string | undefined): Principal {
  const token = bearerToken(header);
  if (deps.adminToken !== undefined && sameSecret(token, deps.adminToken)) return ADMIN;
  return { kind: 'user', userId: deps.tokens.verify(token).sub };
}

/** Compares digests, so neither the content nor the length of the admin token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** PUT and DELETE /api/users/:id: only the account itself (or the operator). */
export function requireSelf(principal: Principal, userId: number): void {
  if (principal.kind === 'admin' || principal.userId === userId) return;
  throw new AuthError(
    'SUT_FORBIDDEN',
    `user ${principal.userId} may change only their own account, not user ${userId}`,
  );
}

/**
 * POST /api/teams/:id/members: the team's owner adds anyone with any role, a team admin adds
 * members and admins (not owners), the operator anything; everyone else gets 403.
 */
export function requireTeamManager(
  principal: Principal,
  teamId: number,
  members: readonly Member[],
  role: MemberRole,
): void {
  if (principal.kind === 'admin') return;
  const own = members.find((m) => m.userId === principal.userId)?.role;
  if (own === 'owner' || (own === 'admin' && role !== 'owner')) return;
  const why =
    own === 'admin'
      ? `only an owner of team ${teamId} may add an owner`
      : `only an owner or admin of team ${teamId} may add members`;
  const is = own === undefined ? 'not a member' : own === 'member' ? 'a member' : `an ${own}`;
  throw new AuthError('SUT_FORBIDDEN', `${why}; user ${principal.userId} is ${is}`);
}
