// The benches' reference servers, each an owned process on a free port: a bare node:http JSON server (bench
// overhead's baseline), a bare Hono app on @hono/node-server (the adapter's share of the SUT's cost) and a
// fixed-body target for bench engine (nginx with one worker when found, else node:http).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError } from '../../services/errors.ts';
import { startOwned, withPortRetry, type OwnedChild, type StartOwnedOptions } from '../../services/spawn.ts';
import { track, untrack } from '../env/processes.ts';
import { EnvironmentError } from '../errors.ts';
import { pinned, runToEnd } from './generators.ts';

export interface BenchTarget {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_TAKEN = /EADDRINUSE|Address already in use/;

/** What a plain node:http server costs, with the same body shape as the SUT's /health. */
const BARE_JSON_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const body = JSON.stringify({ status: 'ok', timestamp: new Date().toISOString() });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.argv[1]), '${HOST}', () =>
  console.log('listening on http://${HOST}:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const resolvePackage = createRequire(import.meta.url).resolve;

/** The SUT's framework and adapter with nothing else: the same /health, on @hono/node-server's own serve(). */
const BARE_HONO_SERVER = `
const { Hono } = require(${JSON.stringify(resolvePackage('hono'))});
const { serve } = require(${JSON.stringify(resolvePackage('@hono/node-server'))});
const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok', timestamp: new Date().toISOString() }));
const server = serve({ fetch: app.fetch, port: Number(process.argv[1]), hostname: '${HOST}' }, (info) =>
  console.log('listening on http://${HOST}:' + info.port));
server.keepAliveTimeout = 65000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const HELLO_SERVER = `
require('node:http').createServer((q, s) => s.end('hello world\\n'))
  .listen(Number(process.argv[1]), '${HOST}', () => console.log('listening on http://${HOST}:' + process.argv[1]));
`;

/** Where a target runs: on `cpu` (by taskset) when both are given, else wherever the scheduler puts it. */
export interface Placement {
  tasksetPath: string | null;
  cpu?: number;
}

export function startBareJsonServer(placement: Placement = { tasksetPath: null }): Promise<BenchTarget> {
  return startNodeServer('bare node:http JSON', BARE_JSON_SERVER, placement);
}

export function startBareHonoServer(placement: Placement = { tasksetPath: null }): Promise<BenchTarget> {
  return startNodeServer('bare Hono on @hono/node-server', BARE_HONO_SERVER, placement);
}

/** Moves every thread of a running process to `cpu` (taskset -a -p): for the SUT, which starts unpinned. */
export async function pinProcess(tasksetPath: string, pid: number, cpu: number): Promise<void> {
  await runToEnd('taskset', [tasksetPath, '-a', '-p', '-c', String(cpu), String(pid)]);
}

/** nginx when `nginxPath` is given, else node:http; pinned to `cpu` when taskset is given. */
export function startHelloTarget(o: {
  nginxPath: string | null;
  tasksetPath: string | null;
  cpu?: number;
}): Promise<BenchTarget> {
  return o.nginxPath ? startNginx(o.nginxPath, o) : startNodeServer('node:http', HELLO_SERVER, o);
}

function startNodeServer(name: string, code: string, o: Placement): Promise<BenchTarget> {
  return startTracked(name, async (port) => {
    const [file, ...args] = pinned(o.tasksetPath, o.cpu, [process.execPath, '-e', code, String(port)]);
    const owned = await startOwned(
      file!,
      args,
      options(name, { line: /listening on http:\/\//, timeoutMs: START_TIMEOUT_MS }),
    );
    return { owned, url: `http://${HOST}:${port}`, cleanup: async () => undefined };
  });
}

async function startNginx(nginxPath: string, o: { tasksetPath: string | null; cpu?: number }): Promise<BenchTarget> {
  const name = 'nginx (1 worker)';
  return startTracked(name, async (port) => {
    const dir = await mkdtemp(join(tmpdir(), 'loadlab-nginx-'));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      await writeFile(join(dir, 'nginx.conf'), renderHelloNginxConfig(dir, port));
      const [file, ...args] = pinned(o.tasksetPath, o.cpu, [nginxPath, '-c', join(dir, 'nginx.conf'), '-p', dir]);
      const ready = { port: { host: HOST, port }, timeoutMs: START_TIMEOUT_MS };
      const owned = await startOwned(file!, args, { ...options(name, ready), cwd: dir });
      return { owned, url: `http://${HOST}:${port}`, cleanup };
    } catch (err) {
      await cleanup();
      throw err;
    }
  });
}

/** nginx answering every request with a fixed body from memory: as cheap as a server gets (pure). */
export function renderHelloNginxConfig(dir: string, port: number): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `${k}_temp_path ${dir};`).join(' ');
  return [
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log stderr warn;`,
    'events { worker_connections 4096; }',
    'http { access_log off; keepalive_requests 1000000; keepalive_timeout 120s;',
    `  ${temp}`,
    `  server { listen ${HOST}:${port}; location / { default_type text/plain; return 200 "hello world\\n"; } } }`,
    '',
  ].join('\n');
}

function options(name: string, ready: StartOwnedOptions['ready']): StartOwnedOptions {
  return { name, ready, portTaken: PORT_TAKEN };
}

interface Started {
  owned: OwnedChild;
  url: string;
  cleanup: () => Promise<void>;
}

/** Starts on a free port (again on another when it was taken meanwhile) and tracks the process until stop(). */
async function startTracked(name: string, start: (port: number) => Promise<Started>): Promise<BenchTarget> {
  let started: Started;
  try {
    started = await withPortRetry(start, { host: HOST });
  } catch (err) {
    throw err instanceof ServiceError ? new EnvironmentError(`bench target ${err.message}`) : err;
  }
  const { owned, url, cleanup } = started;
  let stopping: Promise<void> | undefined;
  const target: BenchTarget & { killNow(): void } = {
    name,
    url,
    pid: owned.pid,
    stop: () =>
      (stopping ??= owned
        .stop('SIGTERM', STOP_TIMEOUT_MS)
        .then(cleanup)
        .finally(() => untrack(target))),
    killNow: () => owned.killGroup('SIGKILL'),
  };
  return track(target);
}
