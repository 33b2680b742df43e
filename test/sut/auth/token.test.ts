// Bearer tokens: round trip, tampering, expiry on an injected clock, header parsing.
import { describe, expect, it } from 'vitest';
import { bearerToken, createTokenService } from '../../../sut/auth/token.ts';
import { AuthError } from '../../../sut/errors.ts';

const SECRET = 'a-test-secret-of-enough-length';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AuthError ? err.code : 'not an AuthError';
  }
  return undefined;
}

describe('token service', () => {
  it('verifies what it issued', () => {
    const tokens = createTokenService(SECRET, 60, () => 1_000_000);
    const { token, expiresAt } = tokens.issue(42);
    expect(tokens.verify(token)).toEqual({ sub: 42, exp: 1060 });
    expect(expiresAt).toBe(new Date(1_060_000).toISOString());
  });

  it('expires on the clock, not on a sleep', () => {
    let now = 1_000_000;
    const tokens = createTokenService(SECRET, 60, () => now);
    const { token } = tokens.issue(1);
    now += 59_999;
    expect(codeOf(() => tokens.verify(token))).toBeUndefined();
    now += 1;
    expect(codeOf(() => tokens.verify(token))).toBe('SUT_TOKEN_EXPIRED');
  });

  it.each([
    ['another secret', (t: string) => createTokenService('another-secret-entirely', 60).verify(t)],
    [
      'a changed payload',
      (t: string) =>
        createTokenService(SECRET, 60).verify(
          `${Buffer.from('{"sub":1,"exp":9999999999}').toString('base64url')}.${t.split('.')[1]}`,
        ),
    ],
    ['a cut signature', (t: string) => createTokenService(SECRET, 60).verify(t.slice(0, -2))],
    ['three parts', (t: string) => createTokenService(SECRET, 60).verify(`${t}.x`)],
    ['garbage', () => createTokenService(SECRET, 60).verify('garbage')],
  ])('rejects %s as SUT_UNAUTHORIZED', (_name, verify) => {
    const { token } = createTokenService(SECRET, 60).issue(1);
    expect(codeOf(() => verify(token))).toBe('SUT_UNAUTHORIZED');
  });

  it.each([undefined, '', 'Basic abc', 'Bearer', 'Bearer a b'])('bearerToken(%j) is SUT_UNAUTHORIZED', (header) => {
    expect(codeOf(() => bearerToken(header))).toBe('SUT_UNAUTHORIZED');
  });

  it('bearerToken reads the token', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
  });
});
