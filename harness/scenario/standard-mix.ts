// The load the levels send: the standard journey mix, and the task-enqueue load of level 3 (built in code so the credentials match the seed).
import { parseScenario } from './load.ts';
import type { Scenario } from './types.ts';
import { VerificationError } from '../errors.ts';

/** Seeded users are user<n>@example.test with one shared password (sut/data/seed-data.ts). */
const SEEDED_USERS = 100_000;
const SEEDED_TEAMS = 1_000;
const PASSWORD = 'loadlab-demo';

/** Mostly reads (what the cache is for), a few searches, one journey in ten logs in and writes. */
export function createStandardMix(): Scenario {
  return parseScenario(
    {
      name: 'standard-mix',
      journeys: [
        {
          name: 'browse',
          weight: 8,
          steps: [
            { name: 'GET /api/users/:id', path: `/api/users/{randomInt:1:${SEEDED_USERS}}`, expectStatus: 200, expectKeys: ['id'] },
            { name: 'GET /api/teams', path: '/api/teams?limit=20', expectStatus: 200, expectKeys: ['items'] },
            { name: 'GET /api/teams/:id', path: `/api/teams/{randomInt:1:${SEEDED_TEAMS}}`, expectStatus: 200, expectKeys: ['id'] },
          ],
        },
        { name: 'search', weight: 1, steps: [{ name: 'GET /api/users/search', path: '/api/users/search?q=user{randomInt:1:999}', expectStatus: 200, expectKeys: ['items'] }] },
        {
          name: 'update-profile',
          weight: 1,
          steps: [
            loginStep(),
            {
              name: 'PUT /api/users/:id',
              method: 'PUT',
              path: '/api/users/{var:userId}',
              headers: { authorization: 'Bearer {var:token}' },
              body: { name: 'Renamed {seq}' },
              expectStatus: 200,
            },
          ],
        },
      ],
    },
    'standard mix',
  );
}

/** Level 3's closed phase: POST /api/tasks as fast as it goes, with a token from one login. */
export function createEnqueueLoad(token: string): Scenario {
  return parseScenario(
    {
      name: 'enqueue',
      journeys: [
        {
          name: 'enqueue',
          steps: [
            {
              name: 'POST /api/tasks',
              method: 'POST',
              path: '/api/tasks',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: `{"type":"generate_report","args":{"teamId":{randomInt:1:${SEEDED_TEAMS}}}}`,
              expectStatus: 202,
              expectKeys: ['id'],
            },
          ],
        },
      ],
    },
    'enqueue load',
  );
}

/** A single cacheable read, for the cache bench: ids 1..idRange so a warm run can hit every one. */
export function createCachedRead(idRange: number): Scenario {
  return parseScenario(
    { name: 'cached-read', journeys: [{ name: 'read', steps: [{ name: 'GET /api/users/:id', path: `/api/users/{randomInt:1:${idRange}}`, expectStatus: 200, expectKeys: ['id'] }] }] },
    'cached read',
  );
}

function loginStep() {
  return {
    name: 'POST /api/auth/login',
    method: 'POST',
    path: '/api/auth/login',
    body: { email: `user{randomInt:1:${SEEDED_USERS}}@example.test`, password: PASSWORD },
    expectStatus: 200,
    capture: { token: 'token', userId: 'userId' },
  };
}

/** Logs in once (for loads that need a token but not a login per request). */
export async function loginOnce(baseUrl: string, timeoutMs: number): Promise<string> {
  const res = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'user1@example.test', password: PASSWORD }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string };
  if (!res.ok || !body.token) throw new VerificationError(`verification failed, not benchmarking: POST /api/auth/login as user1@example.test answered ${res.status}`);
  return body.token;
}
