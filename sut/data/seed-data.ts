// The deterministic seed data, as pure functions shared by the SQL seeder and the memory store,
// so user n has the same name, team and role in both.

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Dennis',
  'Radia',
  'Frances',
  'John',
  'Hedy',
  'Tim',
  'Sophie',
  'Niklaus',
  'Leslie',
  'Katherine',
  'Guido',
  'Annie',
] as const;

export const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Ritchie',
  'Perlman',
  'Allen',
  'Backus',
  'Lamarr',
  'Berners-Lee',
  'Wilson',
  'Wirth',
  'Lamport',
  'Johnson',
  'Rossum',
  'Easley',
  'Shannon',
  'Hoare',
  'Kay',
  'Goldberg',
  'Cerf',
] as const;

export const TEAM_WORDS = [
  'Red',
  'Blue',
  'Green',
  'Amber',
  'Silver',
  'Golden',
  'Iron',
  'Swift',
  'Quiet',
  'Bright',
] as const;

export const TEAM_NOUNS = [
  'Falcons',
  'Otters',
  'Comets',
  'Foxes',
  'Herons',
  'Pandas',
  'Rockets',
  'Lynxes',
  'Owls',
  'Whales',
] as const;

/** Seeded rows are stamped from here, one minute apart, so runs are repeatable. */
export const SEED_EPOCH_MS = Date.UTC(2024, 0, 1);
const MINUTE_MS = 60_000;

const pick = <T>(list: readonly T[], index: number): T => list[index % list.length] as T;

/** "Ada Lovelace 1", "Alan Lovelace 2", … — the first names cycle fastest. */
export function seedName(n: number): string {
  const i = n - 1;
  return `${pick(FIRST_NAMES, i)} ${pick(LAST_NAMES, Math.floor(i / FIRST_NAMES.length))} ${n}`;
}

export function seedTeamName(n: number): string {
  const i = n - 1;
  return `${pick(TEAM_WORDS, i)} ${pick(TEAM_NOUNS, Math.floor(i / TEAM_WORDS.length))} ${n}`;
}

export const seedCreatedAt = (n: number): string => new Date(SEED_EPOCH_MS + n * MINUTE_MS).toISOString();

/** User n belongs to one team; the first user of each team owns it. */
export function seedMembership(n: number, teams: number): { teamId: number; role: 'owner' | 'member' } {
  return { teamId: ((n - 1) % teams) + 1, role: n <= teams ? 'owner' : 'member' };
}
