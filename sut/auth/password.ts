// Password hashing with scrypt at a deliberately modest cost: login is part of the load mix,
// and a benchmark SUT should spend its CPU on the work being measured, not on key stretching.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const COST = 1024; // N; production would use >= 2^15

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEY_BYTES, { N: COST }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Returns "scrypt$<saltHex>$<hashHex>". */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt);
  return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
}

/**
 * What a login checks an unknown email's password against: a well-formed hash of no password at
 * all (a random salt and random bytes, made once per process), so the miss costs the same scrypt
 * as a real check and the response time does not tell which accounts exist. It never matches.
 */
export const DUMMY_PASSWORD_HASH = `scrypt$${randomBytes(16).toString('hex')}$${randomBytes(KEY_BYTES).toString('hex')}`;

/** Checks `password` against `stored`, or, for an account that does not exist (null), pays the same work and says no. */
export async function checkLogin(password: string, stored: string | null): Promise<boolean> {
  const matches = await verifyPassword(password, stored ?? DUMMY_PASSWORD_HASH);
  return stored !== null && matches;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltHex, hashHex] = stored.split('$');
  if (scheme !== 'scrypt' || !saltHex || !hashHex) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = await scrypt(password, Buffer.from(saltHex, 'hex'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
