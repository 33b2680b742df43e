// A real nginx (and HAProxy, when installed) in front of two real SUT nodes on one database:
// equal weights pass the distribution check, 3:1 weights fail it (the negative control).
import { refused } from '../../support/net.ts';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkDistribution } from '../../../harness/stats/distribution.ts';
import { EXIT } from '../../../harness/errors.ts';
import { findOnPath, missingBinary, startLoadBalancer, type LbKind } from '../../../harness/env/lb.ts';
import { stopAll, trackedCount } from '../../../harness/env/processes.ts';
import { startServices } from '../../../harness/env/services.ts';
import { startSut, type SutHandle } from '../../../harness/env/sut.ts';
import { isAlive } from '../../../services/spawn.ts';

const REQUESTS = 400;
const CONCURRENCY = 8;
const onCi = process.env.CI === 'true';
const found: Record<LbKind, string | null> = {
  nginx: await findOnPath('nginx', process.env.PATH ?? ''),
  haproxy: await findOnPath('haproxy', process.env.PATH ?? ''),
};
// Under CI=true a missing balancer fails test/harness/env/ci-binaries.test.ts instead.
for (const kind of ['nginx', 'haproxy'] as const) {
  if (!found[kind] && !onCi) {
    process.stderr.write(
      `\n!!! ${kind.toUpperCase()} LOAD-BALANCER TESTS WILL BE SKIPPED: ${kind} is not on PATH (apt-get install ${kind}) !!!\n\n`,
    );
  }
}

/** Sends REQUESTS GETs through `url` and counts responses by x-node-id. */
async function countByNode(url: string): Promise<{ counts: Record<string, number>; statuses: Record<number, number> }> {
  const counts: Record<string, number> = {};
  const statuses: Record<number, number> = {};
  let next = 0;
  const client = async () => {
    while (next < REQUESTS) {
      next += 1;
      const res = await fetch(`${url}/api/health/worker`);
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const node = res.headers.get('x-node-id') ?? '(none)';
      counts[node] = (counts[node] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  return { counts, statuses };
}

function tempFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('loadlab-nginx-'));
}

describe.skipIf(!found.nginx && !found.haproxy)('load balancer in front of two SUT nodes', () => {
  let nodes: SutHandle[] = [];

  beforeAll(async () => {
    const redisUrl = inject('redisUrl') || undefined; // the test Redis, so no node starts its own
    const services = await startServices({ databaseUrl: inject('databaseUrl'), redisUrl, needRedis: false });
    nodes = await Promise.all(
      ['n1', 'n2'].map((nodeId) =>
        startSut({ workers: 1, nodeId, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl }),
      ),
    );
  });

  afterAll(async () => {
    await stopAll();
    expect(trackedCount()).toBe(0);
  });

  const balancers = ['nginx', 'haproxy'] as const;

  for (const kind of balancers) {
    it.skipIf(!found[kind])(
      `${kind}: equal weights pass the distribution check; x-node-id passes through`,
      async () => {
        const lb = await startLoadBalancer({ kind, upstreams: nodes.map((n) => ({ url: n.url })) });
        try {
          const { counts, statuses } = await countByNode(lb.url);
          expect(statuses).toEqual({ 200: REQUESTS });
          expect(Object.keys(counts).sort()).toEqual(['n1', 'n2']);
          const check = checkDistribution(counts, { expectedNodes: ['n1', 'n2'] });
          expect(check.passed, check.detail).toBe(true);
        } finally {
          await lb.stop();
        }
      },
    );
  }

  for (const kind of balancers) {
    it.skipIf(!found[kind])(`${kind}: weights 3:1 fail the distribution check (negative control)`, async () => {
      const upstreams = [
        { url: nodes[0]!.url, weight: 3 },
        { url: nodes[1]!.url, weight: 1 },
      ];
      const lb = await startLoadBalancer({ kind, upstreams });
      try {
        const { counts } = await countByNode(lb.url);
        const check = checkDistribution(counts, { expectedNodes: ['n1', 'n2'] });
        expect(check.passed, check.detail).toBe(false);
        expect(check.shares.n1).toBeGreaterThan(0.7);
        expect(check.pValue).toBeLessThan(1e-6);
      } finally {
        await lb.stop();
      }
    });
  }

  // Last in this block: it stops node n2.
  it('a node that goes away: every GET is retried on the other node (proxy_next_upstream / retry-on)', async () => {
    const kinds = (['nginx', 'haproxy'] as const).filter((k) => found[k]);
    const lbs = await Promise.all(
      kinds.map((kind) => startLoadBalancer({ kind, upstreams: nodes.map((n) => ({ url: n.url })) })),
    );
    try {
      await nodes[1]!.stop();
      for (const lb of lbs) {
        const { counts, statuses } = await countByNode(lb.url);
        expect(statuses, lb.kind).toEqual({ 200: REQUESTS });
        expect(counts, lb.kind).toEqual({ n1: REQUESTS });
      }
    } finally {
      await Promise.all(lbs.map((lb) => lb.stop()));
    }
  });

  it('stop() ends the balancer and frees its port', async () => {
    const kind: LbKind = found.nginx ? 'nginx' : 'haproxy';
    const lb = await startLoadBalancer({ kind, upstreams: nodes.map((n) => ({ url: n.url })) });
    expect(await refused(lb.url)).toBe(false);
    await lb.stop();
    expect(isAlive(lb.pid)).toBe(false);
    expect(await refused(lb.url)).toBe(true);
    await lb.stop(); // twice is harmless
  });
});

describe('a missing load balancer', () => {
  it('is exit 3 with the three ways to get it', () => {
    const err = missingBinary('nginx');
    expect(err.exitCode).toBe(EXIT.environment);
    expect(err.code).toBe('LOADLAB_ENV_MISSING');
    expect(err.message).toMatch(/apt-get install nginx/);
    expect(err.message).toMatch(/docker compose up/);
    expect(err.message).toMatch(/--target/);
  });

  it.runIf(found.nginx)(
    "a config nginx rejects is exit 3 with nginx's own words, and no temp folder is left",
    async () => {
      const before = tempFolders();
      const err = await startLoadBalancer({
        kind: 'nginx',
        upstreams: [{ url: 'http://no-such-host.invalid:3000' }],
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ exitCode: EXIT.environment, code: 'LOADLAB_ENV_MISSING' });
      expect((err as Error).message).toMatch(/nginx did not start:[\s\S]*host not found in upstream/);
      await expect(
        startLoadBalancer({ kind: 'nginx', upstreams: [{ url: 'http://127.0.0.1:1', weight: 0 }] }),
      ).rejects.toThrow(/weight/);
      expect(tempFolders()).toEqual(before);
      expect(trackedCount()).toBe(0);
    },
  );

  it('is not found on an empty PATH', async () => {
    expect(await findOnPath('loadlab-no-such-balancer', '')).toBeNull();
  });
});
