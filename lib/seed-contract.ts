// What the SUT seeds and load scripts rely on: how many users and teams, their emails, and the one
// demo password — shared so a scenario never guesses (sut/data/seed.ts writes exactly this).

/** Seeded users (ids 1..SEED_USERS in a fresh database). */
export const SEED_USERS = 100_000;
/** Seeded teams (ids 1..SEED_TEAMS); user n belongs to team ((n - 1) % SEED_TEAMS) + 1. */
export const SEED_TEAMS = 1_000;
/** Every seeded user has this password, so load scripts can log in as anyone. */
export const DEMO_PASSWORD = 'loadlab-demo';
/** The domain of seeded emails: reserved (RFC 2606), so no mail can ever go out. */
export const SEED_EMAIL_DOMAIN = 'example.test';

/** Seeded user n (1-based) has this email: `user<n>@example.test`. */
export const seedEmail = (n: number): string => `user${n}@${SEED_EMAIL_DOMAIN}`;

/** The email pattern as a scenario template, `user{n}@example.test`, for a placeholder named `n`. */
export const SEED_EMAIL_TEMPLATE = `user{n}@${SEED_EMAIL_DOMAIN}`;
