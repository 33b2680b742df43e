// A multi-node deployment (Level 4) shares one AUTH_SECRET: a token from one node works on the
// other and through the load balancer; a node started alone makes its own secret and refuses it.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startDeployment } from '../../../harness/env/deploy.ts';
import { stopAll, trackedCount } from '../../../harness/env/processes.ts';
import { startSut } from '../../../harness/env/sut.ts';
import { findOnPath } from '../../../lib/host.ts';

const nginx = await findOnPath('nginx', process.env.PATH ?? '');

afterEach(async () => {
  await stopAll();
  expect(trackedCount()).toBe(0);
});

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'user77@example.test', password: 'loadlab-demo' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** POST /api/teams with an empty body writes nothing: 400 behind an accepted token, 401 before it. */
async function probe(base: string, token: string): Promise<{ status: number; node: string | null }> {
  const res = await fetch(`${base}/api/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{}',
  });
  await res.body?.cancel();
  return { status: res.status, node: res.headers.get('x-node-id') };
}

describe.skipIf(!nginx)('startDeployment with several nodes (nginx from PATH)', () => {
  it('gives every node one AUTH_SECRET: a token from node-1 opens node-2 and the balancer', async () => {
    const dep = await startDeployment(
      { databaseUrl: inject('databaseUrl'), adminToken: 'deploy-test-token', sutEnv: {}, lb: 'nginx' },
      { workers: 1, nodes: 2, needRedis: false },
    );
    const [one, two] = dep.suts;
    const token = await login(one!.url);
    expect(await probe(one!.url, token)).toEqual({ status: 400, node: 'node-1' });
    expect(await probe(two!.url, token)).toEqual({ status: 400, node: 'node-2' });
    // nginx's workers each keep their own round robin: with 10 requests one of them gets two, so both nodes answer.
    const viaBalancer: { status: number; node: string | null }[] = [];
    for (let i = 0; i < 10; i++) viaBalancer.push(await probe(dep.url, token));
    expect(viaBalancer.map((p) => p.status)).toEqual(Array(10).fill(400));
    expect(new Set(viaBalancer.map((p) => p.node))).toEqual(new Set(['node-1', 'node-2']));

    // The control: a node started on its own, without AUTH_SECRET, has a secret of its own.
    const alone = await startSut({
      workers: 1,
      nodeId: 'alone',
      databaseUrl: inject('databaseUrl'),
      env: { AUTH_SECRET: '', REDIS_URL: 'off' },
    });
    expect(await probe(alone.url, token)).toEqual({ status: 401, node: 'alone' });
  }, 120_000);
});
