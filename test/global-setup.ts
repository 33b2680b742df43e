// Vitest global setup: one real, migrated and seeded PostgreSQL for the whole run — DATABASE_URL
// if set, else the embedded server in its own test data folder — handed to tests by inject().
import type { TestProject } from 'vitest/node';
import { prepareDatabase } from '../sut/data/seed.ts';
import { ServiceError, redactUrl } from '../services/errors.ts';
import { startPostgres, type PostgresHandle } from '../services/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, seeded database: `inject('databaseUrl')`. */
    databaseUrl: string;
  }
}

// Test runs started at the same time (two terminals, two engineers) each take their own folder.
const TEST_FOLDERS = ['postgres-test', 'postgres-test-2', 'postgres-test-3', 'postgres-test-4'];

async function startTestPostgres(): Promise<PostgresHandle> {
  for (const name of TEST_FOLDERS) {
    try {
      return await startPostgres({ name });
    } catch (err) {
      if (!(err instanceof ServiceError && err.code === 'LOADLAB_SERVICE_BUSY')) throw err;
    }
  }
  return startPostgres({ name: TEST_FOLDERS[0] }); // all busy: report the first one's owner
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let db: PostgresHandle | undefined;
  try {
    db = await startTestPostgres();
    const { seeded, durationMs } = await prepareDatabase(db.url);
    const where = db.embedded ? `embedded PostgreSQL in ${db.dataDir}` : `DATABASE_URL ${redactUrl(db.url)}`;
    process.stderr.write(`tests use ${where}${seeded ? ` (seeded in ${durationMs} ms)` : ''}\n`);
  } catch (err) {
    await db?.stop();
    // A ServiceError's message is the whole story (what is missing, how to get it): no stack.
    if (err instanceof ServiceError) throw Object.assign(new Error(err.message), { stack: err.message });
    throw err;
  }
  project.provide('databaseUrl', db.url);
  return async () => {
    await db?.stop();
  };
}
