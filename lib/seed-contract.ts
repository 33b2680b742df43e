// What the SUT's seed promises to every client: how many users and teams exist, their emails and the demo password.

/** Users 1..SEEDED_USERS exist after seeding. */
export const SEEDED_USERS = 100_000;
/** Teams 1..SEEDED_TEAMS exist after seeding. */
export const SEEDED_TEAMS = 1_000;
/** Every seeded user logs in with this password. */
export const DEMO_PASSWORD = 'loadlab-demo';

/** The email of seeded user n (1-based). */
export const seededUserEmail = (n: number): string => `user${n}@example.test`;
