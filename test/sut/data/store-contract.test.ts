// One behaviour suite for the Store contract, run against the memory store and the real Postgres
// store, so route tests on memory mean the same as runs on Postgres.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../../sut/errors.ts';
import { createMemoryStore } from '../../../sut/data/memory-store.ts';
import { createPgStore } from '../../../sut/data/pg-store.ts';
import { seedName } from '../../../sut/data/seed-data.ts';
import { seedEmail, type Store } from '../../../sut/data/store.ts';

// The Postgres database is shared across runs: everything a test writes carries a fresh suffix.
const unique = (): string => randomBytes(5).toString('hex');
const HASH = 'scrypt$00$00';

function describeStoreContract(label: string, open: () => Store): void {
  describe(`Store contract: ${label}`, () => {
    let store: Store;
    beforeAll(() => {
      store = open();
    });
    afterAll(async () => {
      await store.close();
    });

    const newUser = async (name = `Contract ${unique()}`) =>
      store.createUser({ email: `c-${unique()}@contract.test`, name, passwordHash: HASH });

    describe('reading seeded users', () => {
      it('gets a user by id, null for an unknown id', async () => {
        const user = await store.getUser(1);
        expect(user).toMatchObject({ id: 1, email: seedEmail(1), name: seedName(1) });
        expect(new Date(user!.createdAt).toISOString()).toBe(user!.createdAt);
        expect(await store.getUser(987_654_321)).toBeNull();
        expect(await store.getUser(-1)).toBeNull();
      });

      it('pages by offset and by afterId, in id order', async () => {
        expect((await store.listUsers({ limit: 3 })).map((u) => u.id)).toEqual([1, 2, 3]);
        expect((await store.listUsers({ limit: 3, offset: 2 })).map((u) => u.id)).toEqual([3, 4, 5]);
        expect((await store.listUsers({ limit: 3, afterId: 10 })).map((u) => u.id)).toEqual([11, 12, 13]);
        expect(await store.listUsers({ limit: 3, afterId: 987_654_321 })).toEqual([]);
      });

      it('finds credentials by email, case-insensitively', async () => {
        const credentials = await store.findCredentials(seedEmail(2).toUpperCase());
        expect(credentials).toMatchObject({ userId: 2, passwordHash: expect.stringMatching(/^scrypt\$/) });
        expect(await store.findCredentials(`nobody-${unique()}@contract.test`)).toBeNull();
      });
    });

    describe('search', () => {
      it('matches a prefix of name or email, case-insensitively, ordered by id', async () => {
        const tag = `Zq${unique()}`;
        const a = await newUser(`${tag} Alpha`);
        const b = await newUser(`${tag} Beta`);
        await newUser(`x${tag} Gamma`); // contains the tag, but not as a prefix
        expect((await store.searchUsers(tag.toUpperCase(), 10)).map((u) => u.id)).toEqual([a.id, b.id]);
        expect((await store.searchUsers(`${tag} b`, 10)).map((u) => u.id)).toEqual([b.id]);
        expect(await store.searchUsers(tag, 1)).toHaveLength(1);
        expect((await store.searchUsers(a.email.slice(0, 8).toUpperCase(), 10)).map((u) => u.id)).toContain(a.id);
      });

      it.each([
        ['%', 'x'],
        ['_', 'x'],
        ['\\', 'x'],
      ])('treats %s in the query literally', async (meta, other) => {
        const tag = `lk${unique()}`;
        const literal = await newUser(`${tag}${meta}end`);
        await newUser(`${tag}${other}end`); // would match if the metacharacter acted as a wildcard
        await newUser(`${tag}${other}${meta}end`);
        expect((await store.searchUsers(`${tag}${meta}`, 10)).map((u) => u.id)).toEqual([literal.id]);
      });
    });

    describe('writing users', () => {
      it('creates a user that can be read back', async () => {
        const created = await newUser();
        expect(created).toMatchObject({ id: expect.any(Number), createdAt: expect.any(String) });
        expect(await store.getUser(created.id)).toEqual(created);
        expect(await store.findCredentials(created.email)).toEqual({ userId: created.id, passwordHash: HASH });
      });

      it('rejects a duplicate email (any case) with ConflictError', async () => {
        const user = await newUser();
        const again = { email: user.email.toUpperCase(), name: 'Dup', passwordHash: HASH };
        await expect(store.createUser(again)).rejects.toBeInstanceOf(ConflictError);
      });

      it('updates name and email; unknown id gives null; a taken email conflicts', async () => {
        const user = await newUser();
        const other = await newUser();
        const email = `renamed-${unique()}@contract.test`;
        const updated = await store.updateUser(user.id, { name: 'Renamed', email });
        expect(updated).toMatchObject({ id: user.id, name: 'Renamed', email, createdAt: user.createdAt });
        expect(await store.getUser(user.id)).toEqual(updated);
        expect(await store.updateUser(user.id, { name: 'Only name' })).toMatchObject({ email, name: 'Only name' });
        expect(await store.updateUser(987_654_321, { name: 'x' })).toBeNull();
        await expect(store.updateUser(user.id, { email: other.email })).rejects.toBeInstanceOf(ConflictError);
      });

      it('deletes once: true, then false', async () => {
        const user = await newUser();
        expect(await store.deleteUser(user.id)).toBe(true);
        expect(await store.getUser(user.id)).toBeNull();
        expect(await store.deleteUser(user.id)).toBe(false);
      });
    });

    describe('teams', () => {
      it('creates a team and reads it with its members, ordered by user id', async () => {
        const team = await store.createTeam(`Team ${unique()}`);
        expect(await store.getTeam(team.id)).toEqual({ ...team, members: [] });
        const [u1, u2] = [await newUser(), await newUser()];
        const owner = await store.addMember(team.id, u2.id, 'owner');
        const member = await store.addMember(team.id, u1.id, 'member');
        expect(owner).toMatchObject({ userId: u2.id, role: 'owner', joinedAt: expect.any(String) });
        const read = await store.getTeam(team.id);
        expect(read?.members).toEqual([member, owner]);
        expect(await store.getTeam(987_654_321)).toBeNull();
      });

      it('lists teams by offset and afterId', async () => {
        expect((await store.listTeams({ limit: 2 })).map((t) => t.id)).toEqual([1, 2]);
        expect((await store.listTeams({ limit: 2, offset: 1 })).map((t) => t.id)).toEqual([2, 3]);
        expect((await store.listTeams({ limit: 2, afterId: 3 })).map((t) => t.id)).toEqual([4, 5]);
      });

      it('reads a seeded team with its owner', async () => {
        const team = await store.getTeam(1);
        expect(team?.members[0]).toMatchObject({ userId: 1, role: 'owner' });
      });

      it('rejects a duplicate membership with ConflictError', async () => {
        const team = await store.createTeam(`Team ${unique()}`);
        const user = await newUser();
        await store.addMember(team.id, user.id, 'admin');
        await expect(store.addMember(team.id, user.id, 'member')).rejects.toBeInstanceOf(ConflictError);
      });

      it('unknown team → NotFoundError (404); unknown user → UnprocessableError (422)', async () => {
        const team = await store.createTeam(`Team ${unique()}`);
        const user = await newUser();
        await expect(store.addMember(987_654_321, user.id, 'member')).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.addMember(987_654_321, 987_654_321, 'member')).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.addMember(team.id, 987_654_321, 'member')).rejects.toBeInstanceOf(UnprocessableError);
      });

      it('drops a deleted user from their teams', async () => {
        const team = await store.createTeam(`Team ${unique()}`);
        const user = await newUser();
        await store.addMember(team.id, user.id, 'member');
        await store.deleteUser(user.id);
        expect((await store.getTeam(team.id))?.members).toEqual([]);
      });
    });

    it('refuses text with a NUL (PostgreSQL: SQLSTATE 22021) with ValidationError, writing nothing', async () => {
      const nul = `n\u0000${unique()}`;
      await expect(store.findCredentials(`${nul}@contract.test`)).rejects.toBeInstanceOf(ValidationError);
      await expect(store.searchUsers(nul, 5)).rejects.toBeInstanceOf(ValidationError);
      await expect(
        store.createUser({ email: `${nul}@contract.test`, name: 'N', passwordHash: HASH }),
      ).rejects.toBeInstanceOf(ValidationError);
      const user = await newUser();
      await expect(store.updateUser(user.id, { name: nul })).rejects.toBeInstanceOf(ValidationError);
      expect(await store.getUser(user.id)).toEqual(user);
      await expect(store.createTeam(nul)).rejects.toBeInstanceOf(ValidationError);
    });

    it('pings', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

describeStoreContract('memory', () => createMemoryStore({ users: 50, teams: 5 }));
describeStoreContract('postgres', () => createPgStore({ url: inject('databaseUrl'), poolMax: 4 }));
