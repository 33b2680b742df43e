// Seeds the benchmark data set (100k users, 1k teams, their memberships) with a few set-based
// statements, once: a version row in loadlab_meta makes every later call a single cheap query.
import pg from 'pg';
import { hashPassword } from '../auth/password.ts';
import { LOCK_KEYS, migrate } from './migrate.ts';
import { isUnavailable } from './pg-errors.ts';
import { FIRST_NAMES, LAST_NAMES, SEED_EPOCH_MS, TEAM_NOUNS, TEAM_WORDS } from './seed-data.ts';
import { DEMO_PASSWORD, SEED_EMAIL_DOMAIN, SEED_TEAMS, SEED_USERS } from '../../lib/seed-contract.ts';
import { databaseUnreachable } from '../runtime/startup-errors.ts';

/** Bump when the seeded data changes shape; a database seeded with an older version is left alone. */
export const SEED_VERSION = '1';

export interface SeedResult {
  seeded: boolean;
  durationMs: number;
}

// Mirrors seedName/seedTeamName/seedCreatedAt/seedMembership in seed-data.ts and seedEmail in lib/seed-contract.ts;
// the seed test checks that both agree.
const INSERT_USERS = `
  INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
  SELECT n,
         'user' || n || '@' || $6,
         ($1::text[])[1 + (n - 1) % cardinality($1::text[])] || ' ' ||
           ($2::text[])[1 + ((n - 1) / cardinality($1::text[])) % cardinality($2::text[])] || ' ' || n,
         $3, at, at
  FROM generate_series(1, $4::int) AS n
  CROSS JOIN LATERAL (SELECT $5::timestamptz + n * interval '1 minute') AS t(at)`;

const INSERT_TEAMS = `
  INSERT INTO teams (id, name, created_at)
  SELECT n,
         ($1::text[])[1 + (n - 1) % cardinality($1::text[])] || ' ' ||
           ($2::text[])[1 + ((n - 1) / cardinality($1::text[])) % cardinality($2::text[])] || ' ' || n,
         $4::timestamptz + n * interval '1 minute'
  FROM generate_series(1, $3::int) AS n`;

const INSERT_MEMBERSHIPS = `
  INSERT INTO memberships (team_id, user_id, role, joined_at)
  SELECT (u.id - 1) % $1 + 1, u.id, CASE WHEN u.id <= $1 THEN 'owner' ELSE 'member' END, u.created_at
  FROM users AS u
  WHERE u.id BETWEEN 1 AND $2`;

// Identity columns were bypassed with explicit ids; move them past the seeded rows.
const RESET_SEQUENCES = `
  SELECT setval(pg_get_serial_sequence('users', 'id'), GREATEST((SELECT max(id) FROM users), 1)),
         setval(pg_get_serial_sequence('teams', 'id'), GREATEST((SELECT max(id) FROM teams), 1))`;

async function insertSeedRows(client: pg.PoolClient, passwordHash: string): Promise<void> {
  const epoch = new Date(SEED_EPOCH_MS).toISOString();
  await client.query(INSERT_USERS, [FIRST_NAMES, LAST_NAMES, passwordHash, SEED_USERS, epoch, SEED_EMAIL_DOMAIN]);
  await client.query(INSERT_TEAMS, [TEAM_WORDS, TEAM_NOUNS, SEED_TEAMS, epoch]);
  await client.query(INSERT_MEMBERSHIPS, [SEED_TEAMS, SEED_USERS]);
  await client.query(RESET_SEQUENCES);
  await client.query(
    `INSERT INTO loadlab_meta (key, value) VALUES ('seed_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [SEED_VERSION],
  );
}

/** Seeds once; expects a migrated schema. Concurrent callers wait on an advisory lock. */
export async function seed(pool: pg.Pool): Promise<SeedResult> {
  const startedMs = performance.now();
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.seed]);
    const done = await client.query(`SELECT 1 FROM loadlab_meta WHERE key = 'seed_version'`);
    const seeded = done.rowCount === 0;
    if (seeded) {
      await client.query('SET LOCAL synchronous_commit = off'); // one big commit; nothing to lose
      // Every seeded user shares one hash: scrypt 100k times would take minutes.
      await insertSeedRows(client, await hashPassword(DEMO_PASSWORD));
    }
    await client.query('COMMIT');
    // Fresh statistics, or the planner scans 100k rows for a prefix search until autovacuum runs.
    if (seeded) await client.query('ANALYZE users, teams, memberships');
    return { seeded, durationMs: Math.round(performance.now() - startedMs) };
  } catch (err) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failed);
  }
}

/**
 * migrate + seed through a short-lived pool; safe to call from several processes at once.
 * An unreachable database is a StartupEnvironmentError (exit 3 at startup), not a driver stack trace.
 */
export async function prepareDatabase(url: string): Promise<SeedResult & { migrated: number[] }> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // an idle client dying must not crash the caller
  try {
    const migrated = await migrate(pool);
    return { migrated, ...(await seed(pool)) };
  } catch (err) {
    if (!isUnavailable(err)) throw err;
    const reason = (err as { code?: string }).code ?? (err as Error).message;
    throw databaseUnreachable(url, reason, err);
  } finally {
    await pool.end();
  }
}
