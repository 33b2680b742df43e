// The load the levels send: the standard journey mix, the cache bench's read and level 3's task-enqueue load.
// Ids, emails and the password come from the seed contract ({seed:…} tokens, lib/seed-contract.ts).
import { DEMO_PASSWORD, seedEmail } from '../../lib/seed-contract.ts';
import { parseScenario } from './load.ts';
import type { Scenario } from './types.ts';
import { VerificationError } from '../errors.ts';

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
            { name: 'GET /api/users/:id', path: '/api/users/{seed:userId}', expectStatus: 200, expectKeys: ['id'] },
            { name: 'GET /api/teams', path: '/api/teams?limit=20', expectStatus: 200, expectKeys: ['items'] },
            { name: 'GET /api/teams/:id', path: '/api/teams/{seed:teamId}', expectStatus: 200, expectKeys: ['id'] },
          ],
        },
        {
          name: 'search',
          weight: 1,
          steps: [
            {
              name: 'GET /api/users/search',
              path: '/api/users/search?q=user{randomInt:1:999}',
              expectStatus: 200,
              expectKeys: ['items'],
            },
          ],
        },
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
              body: '{"type":"generate_report","args":{"teamId":{seed:teamId}}}',
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
  const read = {
    name: 'GET /api/users/:id',
    path: `/api/users/{randomInt:1:${idRange}}`,
    expectStatus: 200,
    expectKeys: ['id'],
  };
  return parseScenario({ name: 'cached-read', journeys: [{ name: 'read', steps: [read] }] }, 'cached read');
}

function loginStep() {
  return {
    name: 'POST /api/auth/login',
    method: 'POST',
    path: '/api/auth/login',
    body: { email: '{seed:userEmail}', password: '{seed:password}' },
    expectStatus: 200,
    capture: { token: 'token', userId: 'userId' },
  };
}

/** Logs in once (for loads that need a token but not a login per request). */
export async function loginOnce(baseUrl: string, timeoutMs: number): Promise<string> {
  const res = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: seedEmail(1), password: DEMO_PASSWORD }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string };
  if (!res.ok || !body.token) {
    const what = `POST /api/auth/login as ${seedEmail(1)}`;
    throw new VerificationError(`verification failed, not benchmarking: ${what} answered ${res.status}`);
  }
  return body.token;
}
