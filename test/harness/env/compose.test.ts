// compose.yaml (no Docker engine runs here): valid for docker-compose itself, and its services,
// wiring, healthchecks, documented ports, and an nginx that mounts exactly what Level 4 renders.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  COMPOSE_LB_PORT,
  COMPOSE_NGINX_CONF,
  COMPOSE_NGINX_INPUT,
  COMPOSE_NODES,
  renderComposeNginxConfig,
} from '../../../harness/env/compose.ts';
import { LB_KEEPALIVE_TIMEOUT_SEC, renderNginxConfig } from '../../../harness/env/nginx-config.ts';
import { findOnPath } from '../../../lib/host.ts';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const text = readFileSync(root('compose.yaml'), 'utf8');
const compose = parse(text) as { name: string; services: Record<string, Service>; volumes?: Record<string, unknown> };
const dockerCompose = await findOnPath('docker-compose', process.env.PATH ?? '');
const onCi = process.env.CI === 'true';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const services = compose.services;
const sutNodes = Object.entries(services).filter(([, s]) => s.environment?.NODE_ID !== undefined);

describe('compose.yaml', () => {
  it('has postgres, redis, two SUT nodes and nginx', () => {
    expect(Object.keys(services).sort()).toEqual(['nginx', 'node-1', 'node-2', 'postgres', 'redis']);
    expect(sutNodes.map(([name]) => name)).toEqual([...COMPOSE_NODES]);
  });

  it.each(COMPOSE_NODES)('%s is a cluster on the compose PostgreSQL and Redis, with its own NODE_ID', (name) => {
    const node = services[name]!;
    const env = node.environment!;
    expect(node.build).toBe('.');
    expect(env).toMatchObject({ NODE_ID: name, HOST: '0.0.0.0', PORT: '3000' });
    expect(Number(env.WORKERS)).toBeGreaterThan(1);
    expect(new URL(env.DATABASE_URL!).host).toBe('postgres:5432');
    expect(new URL(env.REDIS_URL!).host).toBe('redis:6379');
    expect(Number(env.KEEP_ALIVE_TIMEOUT_MS)).toBeGreaterThan(LB_KEEPALIVE_TIMEOUT_SEC * 1000);
    expect(node.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    // From .env (or the shell); unset it is empty, which the SUT refuses on HOST 0.0.0.0 (exit 2).
    expect(env.AUTH_SECRET).toBe('${AUTH_SECRET:-}');
  });

  it('uses the credentials the nodes connect with', () => {
    const url = new URL(services['node-1']!.environment!.DATABASE_URL!);
    expect(services.postgres!.environment).toMatchObject({
      POSTGRES_USER: url.username,
      POSTGRES_PASSWORD: url.password,
      POSTGRES_DB: url.pathname.slice(1),
    });
    expect(services['node-2']!.environment!.DATABASE_URL).toBe(url.href);
  });

  it('health-checks every SUT node and nginx on /ready, and postgres and redis with their own tools', () => {
    for (const name of [...COMPOSE_NODES, 'nginx']) {
      expect(services[name]!.healthcheck!.test.join(' '), name).toMatch(/http:\/\/127\.0\.0\.1:(3000|8080)\/ready/);
    }
    expect(services.postgres!.healthcheck!.test).toContain('pg_isready');
    expect(services.redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('starts nginx after the nodes are healthy, publishes 8080 and mounts the generated config', () => {
    const nginx = services.nginx!;
    expect(nginx.depends_on).toEqual(
      Object.fromEntries(COMPOSE_NODES.map((n) => [n, { condition: 'service_healthy' }])),
    );
    expect(nginx.ports).toEqual([`127.0.0.1:${COMPOSE_LB_PORT}:${COMPOSE_NGINX_INPUT.listenPort}`]);
    expect(nginx.volumes).toEqual([`./${COMPOSE_NGINX_CONF}:/etc/nginx/nginx.conf:ro`]);
    expect(nginx.command).toEqual(['nginx']); // the config has `daemon off;` already
  });

  it('mounts exactly what renderNginxConfig produces for its two nodes', () => {
    const upstreams = sutNodes.map(([name, s]) => ({ url: `http://${name}:${s.environment!.PORT}` }));
    const expected = renderNginxConfig({ ...COMPOSE_NGINX_INPUT, upstreams });
    expect(readFileSync(root(COMPOSE_NGINX_CONF), 'utf8')).toBe(expected);
    expect(renderComposeNginxConfig()).toBe(expected);
  });

  it('documents every published port in its header', () => {
    const header = text.slice(0, text.indexOf('\nservices:'));
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBe(5);
    for (const mapping of published) {
      const hostPort = mapping.split(':').at(-2)!;
      expect(header, mapping).toMatch(new RegExp(`^#\\s+${hostPort}\\s`, 'm'));
      expect(mapping.startsWith('127.0.0.1:'), `${mapping} is loopback only`).toBe(true);
    }
  });

  it("builds the SUT image with npm ci and runs the entry point that npm start's launcher runs", () => {
    const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    // the SUT as one built file, made at image build the way npm start and the harness make it on start
    expect(dockerfile).toMatch(/^RUN node --import tsx scripts\/build-sut\.ts$/m);
    expect(dockerfile).toContain('CMD ["node", ".build/sut.mjs"]');
    const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: { start: string } };
    // npm start runs the launcher (embedded services, then the built SUT); compose provides the services.
    expect(pkg.scripts.start).toBe('exec node --import tsx services/dev-launcher.ts');
    expect(readFileSync(root('services/dev-launcher.ts'), 'utf8')).toContain('await ensureSutBuilt()');
    expect(readFileSync(root('scripts/build-sut.ts'), 'utf8')).toContain('await ensureSutBuilt()');
  });
});

let composeVersion: string | undefined;

/**
 * `docker-compose config -q` on compose.yaml's text, read from stdin with the repository as the
 * project folder. Debian 12's docker-compose is v1 (1.29), whose schema predates the top-level
 * `name:` of the Compose Specification: for v1 that one key is checked here and dropped.
 */
function composeConfig(
  source: string,
  projectDir = root(''),
  flags = ['-q'],
): { status: number | null; output: string } {
  expect(dockerCompose, 'docker-compose is not on PATH (apt-get install docker-compose)').toBeTruthy();
  composeVersion ??= spawnSync(dockerCompose!, ['version', '--short'], { encoding: 'utf8' }).stdout.trim();
  let input = source;
  if (/^v?1\./.test(composeVersion)) {
    expect(source).toMatch(/^name: loadlab$/m);
    input = source.replace(/^name: .*\n/m, '');
  }
  const args = ['--project-directory', projectDir, '-p', 'loadlab', '-f', '-', 'config', ...flags];
  const result = spawnSync(dockerCompose!, args, {
    cwd: projectDir, // docker-compose v1 reads .env from here when the file comes on stdin
    input,
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

// On CI a skip would be a silent gap: there the missing binary fails the test instead.
describe.skipIf(!dockerCompose && !onCi)(
  'compose.yaml, checked by docker-compose (skipped when it is not on PATH: apt-get install docker-compose)',
  () => {
    it('passes `docker-compose config -q` without a Docker engine', () => {
      expect(composeConfig(text)).toEqual({ status: 0, output: '' });
    });

    it('gives both nodes the AUTH_SECRET of a .env beside compose.yaml', () => {
      const dir = mkdtempSync(join(tmpdir(), 'loadlab-compose-'));
      try {
        mkdirSync(join(dir, 'deploy'));
        writeFileSync(join(dir, 'deploy', 'nginx.conf'), '');
        writeFileSync(join(dir, '.env'), 'AUTH_SECRET=from-the-env-file-0123456789\n');
        const out = composeConfig(text, dir, []);
        expect(out.status, out.output).toBe(0);
        const nodes = (parse(out.output) as { services: Record<string, Service> }).services;
        for (const name of COMPOSE_NODES) {
          expect(nodes[name]!.environment!.AUTH_SECRET).toBe('from-the-env-file-0123456789');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('fails on a compose file docker-compose rejects (the negative control)', () => {
      const broken = composeConfig(text.replace('condition: service_healthy', 'condition: service_happy'));
      expect(broken.status).not.toBe(0);
      expect(broken.output).toMatch(/service_happy/);
    });
  },
);
