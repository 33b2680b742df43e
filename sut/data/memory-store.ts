// The Store contract in memory, for route unit tests only: same ordering, conflicts and errors as
// the Postgres store (the shared contract test runs against both), optionally pre-seeded.
import { hashPassword } from '../auth/password.ts';
import { ConflictError, NotFoundError, UnavailableError, UnprocessableError, ValidationError } from '../errors.ts';
import { seedCreatedAt, seedMembership, seedName, seedTeamName } from './seed-data.ts';
import { DEMO_PASSWORD, seedEmail } from './store.ts';
import type { Member, Page, Store, Team, TeamWithMembers, User } from './store.ts';

export interface MemoryStoreOptions {
  /** Seeded users 1..users, with the same emails, names and shared password as the real seed. */
  users?: number;
  teams?: number;
}

export type MemoryStore = Store & {
  /** Makes every call throw UnavailableError, to test how routes handle a database outage. */
  setUnavailable(down: boolean): void;
};

/** passwordHash null: a seeded user, who shares the demo password's hash. */
interface UserRecord extends User {
  passwordHash: string | null;
}

interface State {
  users: Map<number, UserRecord>;
  teams: Map<number, Team>;
  members: Map<number, Map<number, Member>>; // teamId → userId → member
}

// scrypt once per process, not once per store or per seeded user.
let demoHash: Promise<string> | undefined;
const demoPasswordHash = (): Promise<string> => (demoHash ??= hashPassword(DEMO_PASSWORD));

const ROLES = new Set(['owner', 'admin', 'member']);

const toUser = ({ passwordHash: _hash, ...user }: UserRecord): User => ({ ...user });

/** PostgreSQL refuses a NUL in text (SQLSTATE 22021, a 400 through pg-errors.ts); so does this store. */
function refuseNul(...texts: (string | undefined)[]): void {
  if (texts.some((text) => text?.includes('\u0000'))) {
    throw new ValidationError('a value in the request is not one the database accepts (SQLSTATE 22021)');
  }
}
const nowIso = (): string => new Date().toISOString();

function pageOf<T extends { id: number }>(rows: Iterable<T>, page: Page): T[] {
  const all = [...rows]; // Map iteration order is insertion order, which is id order
  const { afterId } = page;
  const start = afterId !== undefined ? all.findIndex((row) => row.id > afterId) : (page.offset ?? 0);
  return start < 0 ? [] : all.slice(start, start + page.limit);
}

function seedState(state: State, userCount: number, teamCount: number): void {
  for (let n = 1; n <= teamCount; n += 1) {
    state.teams.set(n, { id: n, name: seedTeamName(n), createdAt: seedCreatedAt(n) });
    state.members.set(n, new Map());
  }
  for (let n = 1; n <= userCount; n += 1) {
    const at = seedCreatedAt(n);
    state.users.set(n, {
      id: n,
      email: seedEmail(n),
      name: seedName(n),
      passwordHash: null,
      createdAt: at,
      updatedAt: at,
    });
    if (teamCount === 0) continue;
    const { teamId, role } = seedMembership(n, teamCount);
    state.members.get(teamId)?.set(n, { userId: n, role, joinedAt: at });
  }
}

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const state: State = { users: new Map(), teams: new Map(), members: new Map() };
  seedState(state, options.users ?? 0, options.teams ?? 0);
  const { users, teams, members } = state;
  let nextUserId = (options.users ?? 0) + 1;
  let nextTeamId = (options.teams ?? 0) + 1;
  let down = false;

  function available(): void {
    if (down) throw new UnavailableError('SUT_DB_UNAVAILABLE', 'the database cannot be reached');
  }

  function emailTaken(email: string, exceptId?: number): boolean {
    const wanted = email.toLowerCase();
    for (const user of users.values()) if (user.id !== exceptId && user.email.toLowerCase() === wanted) return true;
    return false;
  }

  return {
    async listUsers(page) {
      available();
      return pageOf(users.values(), page).map(toUser);
    },

    async getUser(id) {
      available();
      const user = users.get(id);
      return user ? toUser(user) : null;
    },

    async searchUsers(q, limit) {
      available();
      refuseNul(q);
      const prefix = q.toLowerCase(); // startsWith is literal: %, _ and \ are plain characters
      const found: User[] = [];
      for (const user of users.values()) {
        if (found.length >= limit) break;
        if (user.name.toLowerCase().startsWith(prefix) || user.email.toLowerCase().startsWith(prefix)) {
          found.push(toUser(user));
        }
      }
      return found;
    },

    async createUser(input) {
      available();
      refuseNul(input.email, input.name, input.passwordHash);
      if (emailTaken(input.email)) throw new ConflictError('a user with this email already exists');
      const at = nowIso();
      const { email, name, passwordHash } = input;
      const record: UserRecord = { id: nextUserId++, email, name, passwordHash, createdAt: at, updatedAt: at };
      users.set(record.id, record);
      return toUser(record);
    },

    async updateUser(id, patch) {
      available();
      refuseNul(patch.email, patch.name);
      const user = users.get(id);
      if (!user) return null;
      if (patch.email !== undefined && emailTaken(patch.email, id)) {
        throw new ConflictError('a user with this email already exists');
      }
      const updated = { ...user, ...definedFields(patch), updatedAt: nowIso() };
      users.set(id, updated);
      return toUser(updated);
    },

    async deleteUser(id) {
      available();
      if (!users.delete(id)) return false;
      for (const teamMembers of members.values()) teamMembers.delete(id); // ON DELETE CASCADE
      return true;
    },

    async findCredentials(email) {
      available();
      refuseNul(email);
      const wanted = email.toLowerCase();
      for (const user of users.values()) {
        if (user.email.toLowerCase() !== wanted) continue;
        const passwordHash = user.passwordHash ?? (await demoPasswordHash());
        return { userId: user.id, passwordHash };
      }
      return null;
    },

    async listTeams(page) {
      available();
      return pageOf(teams.values(), page).map((team) => ({ ...team }));
    },

    async getTeam(id): Promise<TeamWithMembers | null> {
      available();
      const team = teams.get(id);
      if (!team) return null;
      const list = [...(members.get(id)?.values() ?? [])].sort((a, b) => a.userId - b.userId);
      return { ...team, members: list.map((member) => ({ ...member })) };
    },

    async createTeam(name) {
      available();
      refuseNul(name);
      const team: Team = { id: nextTeamId++, name, createdAt: nowIso() };
      teams.set(team.id, team);
      members.set(team.id, new Map());
      return { ...team };
    },

    async addMember(teamId, userId, role) {
      available();
      const teamMembers = members.get(teamId);
      if (!teamMembers) throw new NotFoundError('team');
      if (!users.has(userId)) throw new UnprocessableError(`user ${userId} does not exist`);
      if (!ROLES.has(role)) throw new UnprocessableError('role must be owner, admin or member');
      if (teamMembers.has(userId)) throw new ConflictError(`user ${userId} is already a member of team ${teamId}`);
      const member: Member = { userId, role, joinedAt: nowIso() };
      teamMembers.set(userId, member);
      return { ...member };
    },

    async ping() {
      available();
    },

    async close() {},

    setUnavailable(state) {
      down = state;
    },
  };
}

function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
