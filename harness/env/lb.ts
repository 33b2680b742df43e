// Starts a real load balancer (nginx or HAProxy from PATH) in front of the SUT nodes, with a
// generated config in a temp folder that stop() removes; a missing binary is exit 3.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findOnPath as findBinary } from '../../lib/host.ts';
import { ServiceError } from '../../services/errors.ts';
import { startOwned, withPortRetry, type OwnedChild } from '../../services/spawn.ts';
import { EnvironmentError } from '../errors.ts';
import { renderHaproxyConfig } from './haproxy-config.ts';
import { renderNginxConfig, type LbUpstream } from './nginx-config.ts';
import { track, untrack } from './processes.ts';

export type LbKind = 'nginx' | 'haproxy';

export interface StartLoadBalancerOptions {
  kind: LbKind;
  upstreams: LbUpstream[];
}

export interface LoadBalancerHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The master process's pid. */
  pid: number;
  kind: string;
  /** The generated configuration (for run.json and failure messages). */
  config: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_TAKEN = /in use|could not bind|bind\(\)|cannot bind/i;

const REMEDY: Record<LbKind, string> = {
  nginx: 'apt-get install nginx | brew install nginx',
  haproxy: 'apt-get install haproxy | brew install haproxy',
};

/**
 * Starts `kind` on a free loopback port, round-robin over `upstreams`, and resolves once it accepts.
 * @example const lb = await startLoadBalancer({ kind: 'nginx', upstreams: [{ url: a.url }, { url: b.url }] });
 */
export async function startLoadBalancer(opts: StartLoadBalancerOptions): Promise<LoadBalancerHandle> {
  const binary = await findOnPath(opts.kind, process.env.PATH ?? '');
  if (!binary) throw missingBinary(opts.kind);
  if (opts.upstreams.length === 0) throw new EnvironmentError(`${opts.kind}: no upstream SUT nodes to balance`);
  const tmpDir = await mkdtemp(join(tmpdir(), `loadlab-${opts.kind}-`));
  try {
    const args = opts.kind === 'nginx' ? await nginxArgs(binary, tmpDir) : ['-db'];
    return await startOnFreePort(binary, opts, tmpDir, args);
  } catch (err) {
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }
}

/** The probed free port can be taken before the balancer binds it: withPortRetry tries another. */
async function startOnFreePort(
  binary: string,
  opts: StartLoadBalancerOptions,
  tmpDir: string,
  args: string[],
): Promise<LoadBalancerHandle> {
  try {
    return await withPortRetry(
      async (port) => {
        const config = render(opts, port, tmpDir);
        const configPath = join(tmpDir, `${opts.kind}.conf`);
        await writeFile(configPath, config);
        const owned = await startOwned(binary, [...args, opts.kind === 'nginx' ? '-c' : '-f', configPath], {
          cwd: tmpDir,
          name: opts.kind,
          ready: { port: { host: HOST, port }, timeoutMs: START_TIMEOUT_MS },
          portTaken: PORT_TAKEN,
          watchdog: { signal: 'SIGTERM', group: true, killAfterMs: STOP_TIMEOUT_MS, removeDir: tmpDir },
        }).catch(async (err: unknown) => {
          throw err instanceof ServiceError ? await withErrorLog(err, tmpDir) : err;
        });
        return handleFor(owned, { kind: opts.kind, port, config, tmpDir });
      },
      { host: HOST },
    );
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    throw new EnvironmentError(`${opts.kind} did not start:\n  ${err.outputTail.join('\n  ') || err.message}`);
  }
}

/** nginx writes its start errors to error.log, not stderr: fold them into the error's tail. */
async function withErrorLog(err: ServiceError, tmpDir: string): Promise<ServiceError> {
  const log = await readFile(join(tmpDir, 'error.log'), 'utf8').catch(() => '');
  const tail = [...err.outputTail, ...log.split('\n')].filter((l) => l.trim() !== '').slice(-10);
  const taken = err.code === 'LOADLAB_SERVICE_PORT_TAKEN' || tail.some((l) => PORT_TAKEN.test(l));
  return new ServiceError(taken ? 'LOADLAB_SERVICE_PORT_TAKEN' : err.code, err.service, err.message, {
    cause: err,
    outputTail: tail,
  });
}

/**
 * -p: relative paths resolve in the temp folder. -e (nginx ≥ 1.19.5): the error log nginx opens
 * before it has read the config; without it, a non-root nginx first complains about root's
 * /var/log/nginx/error.log, then carries on.
 */
async function nginxArgs(binary: string, tmpDir: string): Promise<string[]> {
  const { stderr } = await run(binary, ['-v']).catch(() => ({ stderr: '' }));
  const [major = 0, minor = 0, patch = 0] = (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(stderr)?.slice(1) ?? []).map(Number);
  const hasE = major > 1 || (major === 1 && (minor > 19 || (minor === 19 && patch >= 5)));
  return ['-p', tmpDir, ...(hasE ? ['-e', join(tmpDir, 'error.log')] : [])];
}

function render(opts: StartLoadBalancerOptions, port: number, tmpDir: string): string {
  if (opts.kind === 'haproxy')
    return renderHaproxyConfig({ listenPort: port, upstreams: opts.upstreams, tmpDir, listenHost: HOST });
  // As root, nginx workers would switch to "nobody", who cannot enter the private temp folder.
  const user = process.getuid?.() === 0 ? 'root' : undefined;
  return renderNginxConfig({ listenPort: port, upstreams: opts.upstreams, tmpDir, listenHost: HOST, user });
}

function handleFor(
  owned: OwnedChild,
  info: { kind: LbKind; port: number; config: string; tmpDir: string },
): LoadBalancerHandle {
  let stopping: Promise<void> | undefined;
  const handle: LoadBalancerHandle = {
    url: `http://${HOST}:${info.port}`,
    pid: owned.pid,
    kind: info.kind,
    config: info.config,
    // SIGQUIT is nginx's graceful shutdown; HAProxy's is SIGUSR1 (soft stop), SIGTERM is immediate.
    stop: () =>
      (stopping ??= owned
        .stop(info.kind === 'nginx' ? 'SIGQUIT' : 'SIGUSR1', STOP_TIMEOUT_MS)
        .then(() => rm(info.tmpDir, { recursive: true, force: true }))
        .finally(() => untrack(entry))),
  };
  const killNow = () => {
    owned.killGroup('SIGTERM');
    rmSync(info.tmpDir, { recursive: true, force: true });
  };
  const entry = { stop: () => handle.stop(), killNow };
  track(entry);
  return handle;
}

export function missingBinary(kind: LbKind): EnvironmentError {
  return new EnvironmentError(
    [
      `${kind} is missing: it is not on PATH, and Level 4 runs the SUT nodes behind it.`,
      `Get ${kind} one of three ways:`,
      `  1. install it with your package manager (${REMEDY[kind]})`,
      '  2. docker compose up -d (postgres, redis, two SUT nodes and nginx on http://localhost:8080)',
      '  3. run against a deployment you already have: --target http://host:port',
    ].join('\n'),
  );
}

/** The first executable `name` in PATH, then the sbin folders, where distributions put nginx. */
export function findOnPath(name: string, pathList: string): Promise<string | null> {
  return findBinary(name, pathList, ['/usr/sbin', '/usr/local/sbin', '/sbin']);
}
