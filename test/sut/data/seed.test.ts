// The seeded data set on the real database: exact counts, the same rows the pure seed functions
// describe, one shared demo password hash, and a second seed that changes nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyPassword } from '../../../sut/auth/password.ts';
import { migrate } from '../../../sut/data/migrate.ts';
import { seedCreatedAt, seedMembership, seedName, seedTeamName } from '../../../sut/data/seed-data.ts';
import { prepareDatabase, seed } from '../../../sut/data/seed.ts';
import { DEMO_PASSWORD, SEED_TEAMS, SEED_USERS, seedEmail } from '../../../lib/seed-contract.ts';
import { StartupEnvironmentError } from '../../../sut/runtime/startup-errors.ts';

describe('seed (real PostgreSQL)', () => {
  let pool: pg.Pool;
  const one = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T> =>
    (await pool.query<T>(sql, values)).rows[0] as T;

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  });
  afterAll(async () => {
    await pool.end();
  });

  // Other tests add rows to the shared database (even memberships of seeded users in new teams),
  // so the counts look at the seeded id range and at memberships that follow the seed rule.
  it('has exactly the seeded users, teams and memberships', async () => {
    const counts = await one<{ users: number; teams: number; memberships: number; owners: number }>(
      `WITH seeded AS (SELECT role FROM memberships WHERE user_id <= $1 AND team_id = (user_id - 1) % $2 + 1)
       SELECT (SELECT count(*) FROM users WHERE id <= $1)::int AS users,
              (SELECT count(*) FROM teams WHERE id <= $2)::int AS teams,
              (SELECT count(*) FROM seeded)::int AS memberships,
              (SELECT count(*) FROM seeded WHERE role = 'owner')::int AS owners`,
      [SEED_USERS, SEED_TEAMS],
    );
    expect(counts).toEqual({ users: SEED_USERS, teams: SEED_TEAMS, memberships: SEED_USERS, owners: SEED_TEAMS });
  });

  it.each([1, 2, 21, 1_000, 1_001, SEED_USERS])('user %i matches the pure seed functions', async (n) => {
    const row = await one<{ email: string; name: string; created_at: Date; team_id: string; role: string }>(
      `SELECT u.email, u.name, u.created_at, m.team_id, m.role
       FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = $1`,
      [n],
    );
    const { teamId, role } = seedMembership(n, SEED_TEAMS);
    expect(row).toEqual({
      email: seedEmail(n),
      name: seedName(n),
      created_at: new Date(seedCreatedAt(n)),
      team_id: String(teamId),
      role,
    });
  });

  it('names teams like the pure seed function', async () => {
    const rows = (
      await pool.query<{ id: string; name: string }>('SELECT id, name FROM teams WHERE id IN (1, 11, $1) ORDER BY id', [
        SEED_TEAMS,
      ])
    ).rows;
    expect(rows.map((r) => r.name)).toEqual([1, 11, SEED_TEAMS].map(seedTeamName));
  });

  it('gives every seeded user the same hash of the demo password', async () => {
    const { hashes } = await one<{ hashes: number }>(
      'SELECT count(DISTINCT password_hash)::int AS hashes FROM users WHERE id <= $1',
      [SEED_USERS],
    );
    expect(hashes).toBe(1);
    const { password_hash: hash } = await one<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = 1',
    );
    expect(await verifyPassword(DEMO_PASSWORD, hash)).toBe(true);
    expect(await verifyPassword('wrong-password', hash)).toBe(false);
  });

  it('moved the identity sequences past the seeded ids', async () => {
    const { next } = await one<{ next: number }>('SELECT (last_value + 1)::int AS next FROM users_id_seq');
    expect(next).toBeGreaterThan(SEED_USERS);
  });

  it('seeding and migrating again change nothing', async () => {
    const metaRow = `SELECT updated_at FROM loadlab_meta WHERE key = 'seed_version'`;
    const before = await one<{ updated_at: Date }>(metaRow);
    expect(await migrate(pool)).toEqual([]);
    expect(await seed(pool)).toMatchObject({ seeded: false });
    expect(await prepareDatabase(inject('databaseUrl'))).toMatchObject({ migrated: [], seeded: false });
    expect((await one<{ updated_at: Date }>(metaRow)).updated_at).toEqual(before.updated_at);
    expect(
      (await one<{ users: number }>('SELECT count(*)::int AS users FROM users WHERE id <= $1', [SEED_USERS])).users,
    ).toBe(SEED_USERS);
  });

  it('an unreachable database is a StartupEnvironmentError (exit 3) naming the ways to get one, without the password', async () => {
    const error = await prepareDatabase('postgres://u:secret@127.0.0.1:1/x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StartupEnvironmentError);
    expect((error as Error).message).toMatch(
      /^cannot reach PostgreSQL at .*ECONNREFUSED; .*npm start.*docker compose up.*DATABASE_URL=/,
    );
    expect((error as Error).message).not.toContain('secret');
  });
});
