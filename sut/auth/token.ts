// Bearer tokens: an HMAC-SHA256-signed payload with an expiry — small, stateless, shared by workers.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.ts';

/** A signing secret for one start of the SUT when AUTH_SECRET is unset: 32 random bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface TokenClaims {
  sub: number; // user id
  exp: number; // unix seconds
}

export interface TokenService {
  issue(userId: number): { token: string; expiresAt: string };
  verify(token: string): TokenClaims;
}

export function createTokenService(secret: string, ttlSec: number, nowMs: () => number = Date.now): TokenService {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    issue(userId) {
      const exp = Math.floor(nowMs() / 1000) + ttlSec;
      const payload = Buffer.from(JSON.stringify({ sub: userId, exp })).toString('base64url');
      return { token: `${payload}.${sign(payload)}`, expiresAt: new Date(exp * 1000).toISOString() };
    },
    verify(token) {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) throw invalid();
      const expected = Buffer.from(sign(payload));
      const actual = Buffer.from(signature);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
      const claims = parseClaims(payload);
      if (claims.exp * 1000 <= nowMs())
        throw new AuthError('SUT_TOKEN_EXPIRED', 'the bearer token has expired; log in again');
      return claims;
    },
  };
}

function invalid(): AuthError {
  return new AuthError('SUT_UNAUTHORIZED', 'invalid bearer token');
}

function parseClaims(payload: string): TokenClaims {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const { sub, exp } = value as Partial<TokenClaims>;
    if (Number.isSafeInteger(sub) && Number.isSafeInteger(exp)) return { sub: sub!, exp: exp! };
  } catch {
    // fall through: a signed but unreadable payload is still an invalid token
  }
  throw invalid();
}

/** Reads `Authorization: Bearer <token>`; throws 401 when it is missing or malformed. */
export function bearerToken(header: string | undefined): string {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match)
    throw new AuthError(
      'SUT_UNAUTHORIZED',
      'missing bearer token: send Authorization: Bearer <token> (POST /api/auth/login)',
    );
  return match[1]!;
}
