// The data contract every store implements: Postgres for real runs, memory for route unit tests.

export interface User {
  id: number;
  email: string;
  name: string;
  createdAt: string; // ISO 8601
  updatedAt: string; // ISO 8601
}

export interface Team {
  id: number;
  name: string;
  createdAt: string;
}

export interface Member {
  userId: number;
  role: MemberRole;
  joinedAt: string;
}

export type MemberRole = 'owner' | 'admin' | 'member';

/** A team with its members. Members carry ids, not user fields, so a user edit never stales a team. */
export interface TeamWithMembers extends Team {
  members: Member[];
}

export interface Credentials {
  userId: number;
  passwordHash: string; // "scrypt$<saltHex>$<hashHex>"
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
}

export interface UserPatch {
  email?: string;
  name?: string;
}

/** Offset paging, or keyset paging after a user id (cursor). */
export interface Page {
  limit: number;
  offset?: number;
  afterId?: number;
}

/** Filled in by a caching layer so a route can answer `x-cache: hit|miss`. */
export interface ReadContext {
  cache?: 'hit' | 'miss';
}

/**
 * Reads return null for an unknown id; writes throw the typed errors of `sut/errors.ts`
 * (ConflictError for a duplicate email or membership; in addMember NotFoundError for a missing
 * team and UnprocessableError for a missing user; UnavailableError when the database is down,
 * SUT_DB_TIMEOUT when a statement runs over its timeout). Any call given text the database
 * refuses (a NUL) throws ValidationError: the routes refuse control characters before that.
 */
export interface Store {
  listUsers(page: Page, ctx?: ReadContext): Promise<User[]>;
  getUser(id: number, ctx?: ReadContext): Promise<User | null>;
  /**
   * The same read answered from memory without waiting, where this store can: the user, null for an unknown id
   * (a cached 404), or undefined when only getUser can tell. The cache has it, so a hit is answered synchronously
   * (no promise, and @hono/node-server writes a synchronous response on its fast path).
   */
  getUserNow?(id: number, ctx?: ReadContext): User | null | undefined;
  /** Prefix match on name or email, case-insensitive, ordered by id. */
  searchUsers(query: string, limit: number, ctx?: ReadContext): Promise<User[]>;
  createUser(input: NewUser): Promise<User>;
  updateUser(id: number, patch: UserPatch): Promise<User | null>;
  deleteUser(id: number): Promise<boolean>;
  findCredentials(email: string): Promise<Credentials | null>;

  listTeams(page: Page, ctx?: ReadContext): Promise<Team[]>;
  getTeam(id: number, ctx?: ReadContext): Promise<TeamWithMembers | null>;
  /** getTeam answered from memory, as getUserNow. */
  getTeamNow?(id: number, ctx?: ReadContext): TeamWithMembers | null | undefined;
  createTeam(name: string): Promise<Team>;
  addMember(teamId: number, userId: number, role: MemberRole): Promise<Member>;

  /** Cheap round trip to the backing service; throws UnavailableError when it is down. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The seed contract lives in lib/ because the harness reads it too; the SUT re-exports it here.
export { DEMO_PASSWORD, SEED_TEAMS, SEED_USERS, seedEmail } from '../../lib/seed-contract.ts';
