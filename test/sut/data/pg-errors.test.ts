// PostgreSQL errors as the SUT's typed errors, none carrying PostgreSQL's own text: a value the
// database refuses (SQLSTATE class 22) is 400, a statement over statement_timeout (57014) is 503
// SUT_DB_TIMEOUT, a lost connection 503 SUT_DB_UNAVAILABLE; the same on the real database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mapPgError } from '../../../sut/data/pg-errors.ts';
import { createPgStore, DEFAULT_STATEMENT_TIMEOUT_MS, type PgStore } from '../../../sut/data/pg-store.ts';
import { SutError, ValidationError } from '../../../sut/errors.ts';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('mapPgError', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P02', 'invalid input syntax for type bigint: "abc"'],
    ['22003', 'value "99999999999999999999" is out of range for type bigint'],
    ['22001', 'value too long for type character varying(10)'],
  ])('SQLSTATE %s (class 22, data exception) → 400 SUT_VALIDATION, without PostgreSQL text', (code, text) => {
    const mapped = mapPgError(pgError(code, text));
    expect(mapped).toBeInstanceOf(ValidationError);
    expect(mapped).toMatchObject({
      status: 400,
      code: 'SUT_VALIDATION',
      message: `a value in the request is not one the database accepts (SQLSTATE ${code})`,
    });
  });

  it('57014 (statement timeout) → 503 SUT_DB_TIMEOUT, without PostgreSQL text', () => {
    const mapped = mapPgError(pgError('57014', 'canceling statement due to statement timeout'));
    expect(mapped).toMatchObject({
      status: 503,
      code: 'SUT_DB_TIMEOUT',
      message: 'the database did not answer in time (statement timeout)',
    });
  });

  it('a refused connection → 503 SUT_DB_UNAVAILABLE, without the address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' });
    expect(mapPgError(refused)).toMatchObject({
      status: 503,
      code: 'SUT_DB_UNAVAILABLE',
      message: 'the database cannot be reached',
    });
  });

  it('anything else is passed on untouched (a bug: the app answers a bare 500)', () => {
    const unknown = pgError('42P01', 'relation "users" does not exist');
    expect(mapPgError(unknown)).toBe(unknown);
    expect(mapPgError(pgError('22', 'not a SQLSTATE'))).not.toBeInstanceOf(SutError);
  });
});

describe('on the real PostgreSQL', () => {
  let store: PgStore;
  let slow: PgStore;
  let locker: pg.Client;
  beforeAll(async () => {
    store = createPgStore({ url: inject('databaseUrl'), poolMax: 2 });
    slow = createPgStore({ url: inject('databaseUrl'), poolMax: 1, statementTimeoutMs: 100 });
    locker = new pg.Client({ connectionString: inject('databaseUrl') });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await store?.close();
    await slow?.close();
  });

  it('a NUL in text PostgreSQL refuses (22021) is a 400 in every call that sends text', async () => {
    const nul = 'a\u0000b';
    const refused = { status: 400, code: 'SUT_VALIDATION' };
    await expect(store.findCredentials(`${nul}@example.test`)).rejects.toMatchObject(refused);
    await expect(store.searchUsers(nul, 5)).rejects.toMatchObject(refused);
    await expect(
      store.createUser({ email: `${nul}@example.test`, name: 'N', passwordHash: 'scrypt$00$00' }),
    ).rejects.toMatchObject(refused);
    await expect(store.updateUser(1, { name: nul })).rejects.toMatchObject(refused);
    await expect(store.createTeam(nul)).rejects.toMatchObject(refused);
    await expect(store.getUser(1)).resolves.toMatchObject({ id: 1 }); // nothing was written
  });

  it(`statements run under statement_timeout, ${DEFAULT_STATEMENT_TIMEOUT_MS} ms unless told otherwise`, async () => {
    const shown = await store.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(shown.rows[0]!.statement_timeout).toBe(`${DEFAULT_STATEMENT_TIMEOUT_MS / 1000}s`);
  });

  it('a statement stuck behind a lock past the timeout is 503 SUT_DB_TIMEOUT, and the pool serves on', async () => {
    const user = await store.createUser({
      email: `timeout-${randomBytes(5).toString('hex')}@example.test`,
      name: 'Locked',
      passwordHash: 'scrypt$00$00',
    });
    await locker.query('BEGIN');
    try {
      await locker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      await expect(slow.updateUser(user.id, { name: 'Waited' })).rejects.toMatchObject({
        status: 503,
        code: 'SUT_DB_TIMEOUT',
        message: 'the database did not answer in time (statement timeout)',
      });
    } finally {
      await locker.query('ROLLBACK');
    }
    await expect(slow.updateUser(user.id, { name: 'Free' })).resolves.toMatchObject({ name: 'Free' });
    await store.deleteUser(user.id);
  });
});
