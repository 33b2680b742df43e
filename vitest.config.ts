// Test runner config: one run covers unit, integration (real PostgreSQL and Redis) and harness tests,
// in two projects run one after the other. `unit` runs its files in parallel. `serial` then runs its
// files one at a time in one fork with nothing else running: tests whose verdicts depend on timing or
// that start real process trees (the SUT, nginx, PostgreSQL, load runs). A file joins it by its name,
// `*.serial.test.ts`, which survives moves; everything under test/services/ joins by folder.
import { defineConfig } from 'vitest/config';

const SERIAL = ['test/**/*.serial.test.ts', 'test/services/**/*.test.ts'];

const shared = { testTimeout: 30_000, hookTimeout: 120_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // The root project's global setup runs once per `vitest run` (one PostgreSQL, one redis-server)
    // and both projects inherit what it provides to inject(); a project must not list it again.
    globalSetup: ['test/global-setup.ts', 'test/global-redis.ts'],
    projects: [
      {
        test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: SERIAL, sequence: { groupOrder: 0 } },
      },
      {
        // The pool's size is global, so one file at a time is asked for per project with singleFork.
        test: {
          ...shared,
          name: 'serial',
          include: SERIAL,
          sequence: { groupOrder: 1 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
