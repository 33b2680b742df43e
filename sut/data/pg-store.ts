// The Store on PostgreSQL through a pg Pool: parametrised queries only, bounded waits, and every
// driver error mapped to a typed SUT error so a database outage is a 503, never a crash.
import pg from 'pg';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { mapPgError, type ViolationMap } from './pg-errors.ts';
import type { Credentials, Member, MemberRole, Page, Store, Team, TeamWithMembers, User } from './store.ts';

export interface PgStoreOptions {
  url: string;
  /** Connections per process (per cluster worker). */
  poolMax?: number;
  /** Bounds both opening a connection and waiting for a free one. */
  connectionTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Server-side limit per statement (SQLSTATE 57014 → 503 SUT_DB_TIMEOUT); default 5 s, 0 = none. */
  statementTimeoutMs?: number;
  /** Errors of idle clients (e.g. the database restarted); default: ignored, the pool replaces them. */
  onIdleError?: (err: Error) => void;
}

export type PgStore = Store & {
  pool: pg.Pool;
  /**
   * Opens every connection the pool may hold at once and has each read the tables once (a new PostgreSQL
   * backend loads its catalog on its first query of a table), within `withinMs`; resolves with how many did.
   * Best effort: errors and the time limit end it quietly (the database may be down; readiness says so).
   */
  warm(withinMs: number): Promise<number>;
};

/** Touches every table the routes read, returning no row. */
const WARM_QUERY =
  'SELECT 1 FROM users WHERE id = 0 UNION ALL SELECT 1 FROM teams WHERE id = 0 UNION ALL SELECT 1 FROM memberships WHERE team_id = 0';

interface UserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}
interface TeamRow {
  id: string;
  name: string;
  created_at: Date;
}
interface MemberRow {
  user_id: string;
  role: MemberRole;
  joined_at: Date;
}

const USER_COLUMNS = 'id, email, name, created_at, updated_at';
const TEAM_COLUMNS = 'id, name, created_at';

// bigint arrives as a string; ids stay far below 2^53.
const toUser = (r: UserRow): User => ({
  id: Number(r.id),
  email: r.email,
  name: r.name,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
const toTeam = (r: TeamRow): Team => ({ id: Number(r.id), name: r.name, createdAt: r.created_at.toISOString() });
const toMember = (r: MemberRow): Member => ({
  userId: Number(r.user_id),
  role: r.role,
  joinedAt: r.joined_at.toISOString(),
});

/** An id no row can have (the routes validate; this keeps a bad id from becoming a SQL error). */
const isValidId = (id: number): boolean => Number.isSafeInteger(id) && id > 0;

/** Escapes LIKE's metacharacters so user input only ever matches literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

const duplicateEmail = (): ConflictError => new ConflictError('a user with this email already exists');

/** How long one statement may run unless the caller says otherwise. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

export function createPgStore(options: PgStoreOptions): PgStore {
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    // A stuck query holds a pool connection; past this PostgreSQL cancels it and the request gets a 503.
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // Without a listener, an idle client dying (database restart) would crash the process.
  pool.on('error', options.onIdleError ?? (() => undefined));

  async function query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    violations?: ViolationMap,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      throw mapPgError(err, violations);
    }
  }

  function pageQuery(table: 'users' | 'teams', columns: string, page: Page): [string, unknown[]] {
    if (page.afterId !== undefined) {
      return [`SELECT ${columns} FROM ${table} WHERE id > $1 ORDER BY id LIMIT $2`, [page.afterId, page.limit]];
    }
    return [`SELECT ${columns} FROM ${table} ORDER BY id LIMIT $1 OFFSET $2`, [page.limit, page.offset ?? 0]];
  }

  let closed: Promise<void> | undefined;

  return {
    pool,

    async listUsers(page) {
      const [text, values] = pageQuery('users', USER_COLUMNS, page);
      return (await query<UserRow>(text, values)).rows.map(toUser);
    },

    async getUser(id) {
      if (!isValidId(id)) return null;
      const result = await query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
      return result.rows[0] ? toUser(result.rows[0]) : null;
    },

    async searchUsers(q, limit) {
      // Matches the lower(...) text_pattern_ops indexes, so a prefix is an index range scan.
      const pattern = `${escapeLike(q.toLowerCase())}%`;
      const result = await query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE lower(name) LIKE $1 ESCAPE '\\' OR lower(email) LIKE $1 ESCAPE '\\'
         ORDER BY id LIMIT $2`,
        [pattern, limit],
      );
      return result.rows.map(toUser);
    },

    async createUser(input) {
      const result = await query<UserRow>(
        `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`,
        [input.email, input.name, input.passwordHash],
        { unique: duplicateEmail },
      );
      return toUser(result.rows[0] as UserRow);
    },

    async updateUser(id, patch) {
      if (!isValidId(id)) return null;
      const result = await query<UserRow>(
        `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = now()
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, patch.email ?? null, patch.name ?? null],
        { unique: duplicateEmail },
      );
      return result.rows[0] ? toUser(result.rows[0]) : null;
    },

    async deleteUser(id) {
      if (!isValidId(id)) return false;
      return ((await query('DELETE FROM users WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },

    async findCredentials(email): Promise<Credentials | null> {
      const result = await query<{ id: string; password_hash: string }>(
        'SELECT id, password_hash FROM users WHERE lower(email) = lower($1)',
        [email],
      );
      const row = result.rows[0];
      return row ? { userId: Number(row.id), passwordHash: row.password_hash } : null;
    },

    async listTeams(page) {
      const [text, values] = pageQuery('teams', TEAM_COLUMNS, page);
      return (await query<TeamRow>(text, values)).rows.map(toTeam);
    },

    async getTeam(id): Promise<TeamWithMembers | null> {
      if (!isValidId(id)) return null;
      // One round trip: the team row, plus its members aggregated as JSON.
      const result = await query<TeamRow & { members: { user_id: string; role: MemberRole; joined_at: string }[] }>(
        `SELECT t.id, t.name, t.created_at,
                COALESCE((SELECT json_agg(json_build_object('user_id', m.user_id, 'role', m.role, 'joined_at', m.joined_at)
                                          ORDER BY m.user_id)
                          FROM memberships m WHERE m.team_id = t.id), '[]') AS members
         FROM teams t WHERE t.id = $1`,
        [id],
      );
      const row = result.rows[0];
      if (!row) return null;
      const members = row.members.map((m) => toMember({ ...m, joined_at: new Date(m.joined_at) }));
      return { ...toTeam(row), members };
    },

    async createTeam(name) {
      const result = await query<TeamRow>(`INSERT INTO teams (name) VALUES ($1) RETURNING ${TEAM_COLUMNS}`, [name]);
      return toTeam(result.rows[0] as TeamRow);
    },

    async addMember(teamId, userId, role) {
      if (!isValidId(teamId)) throw new NotFoundError('team');
      if (!isValidId(userId)) throw new UnprocessableError(`user ${userId} does not exist`);
      const result = await query<MemberRow>(
        `INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3) RETURNING user_id, role, joined_at`,
        [teamId, userId, role],
        {
          unique: () => new ConflictError(`user ${userId} is already a member of team ${teamId}`),
          // The team is the resource in the path (404); the user is a reference in the body (422).
          foreignKey: (constraint) =>
            constraint === 'memberships_team_id_fkey'
              ? new NotFoundError('team')
              : new UnprocessableError(`user ${userId} does not exist`),
          check: () => new UnprocessableError(`role must be owner, admin or member`),
        },
      );
      return toMember(result.rows[0] as MemberRow);
    },

    async ping() {
      await query('SELECT 1', []);
    },

    async warm(withinMs) {
      let warmed = 0;
      // All asked at once, so each is a connection of its own (the pool opens one per waiting request up to max).
      const work = Promise.all(
        Array.from({ length: pool.options.max }, async () => {
          const client = await pool.connect();
          try {
            await client.query(WARM_QUERY);
            warmed += 1;
          } finally {
            client.release();
          }
        }),
      ).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
      clearTimeout(timer);
      return warmed;
    },

    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
