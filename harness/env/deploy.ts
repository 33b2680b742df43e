// Starts a level's deployment through the env API (services, SUT nodes, load balancer), or wraps --target.
import { randomBytes } from 'node:crypto';
import { startServices } from './services.ts';
import { startSut, type SutHandle } from './sut.ts';
import { startLoadBalancer } from './lb.ts';
import type { ProcessRoot } from '../monitor/processes.ts';

/** Where a level sends its load: a deployment loadlab started, or one given with --target. */
export interface Deployment {
  url: string;
  /** The processes the monitor samples by pid; one without a pid was not started by loadlab (not sampled). */
  processes: ProcessRoot[];
  /** What the monitor probes each second on a deployment loadlab started (a single node's own /metrics). */
  metricsUrl?: string;
  readyUrl?: string;
  /** e.g. "1 worker, cache on" or "--target http://…". */
  description: string;
}

/** What a deployment needs from the command's settings (the level settings satisfy it). */
export interface DeployOptions {
  /** A running deployment to use instead of starting one. */
  target?: string;
  databaseUrl?: string;
  redisUrl?: string;
  adminToken: string;
  /** Extra SUT environment (`--sut-env`); wins over the level's own. */
  sutEnv: Record<string, string>;
  lb: 'nginx' | 'haproxy';
}

export interface DeploySpec {
  workers: number;
  /** More than one: that many SUT nodes behind settings.lb. */
  nodes?: number;
  needRedis: boolean;
  env?: Record<string, string>;
}

export interface StartedDeployment extends Deployment {
  /** The SUT nodes loadlab started (empty for --target). */
  suts: SutHandle[];
  redisUrl?: string;
  stop(): Promise<void>;
}

/** Starts what the spec needs; everything is tracked by env/processes.ts, so a failure midway is cleaned up by the caller's withCleanup. */
export async function startDeployment(s: DeployOptions, spec: DeploySpec): Promise<StartedDeployment> {
  if (s.target) return useTarget(s.target);
  const services = await startServices({ databaseUrl: s.databaseUrl, redisUrl: s.redisUrl, needRedis: spec.needRedis });
  const stops: Array<() => Promise<void>> = [() => services.stop()];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  const nodes = spec.nodes ?? 1;
  // A level without jobs gets no Redis at all (the SUT would otherwise start its own redis-server, one more process on the cores).
  // Several nodes share one AUTH_SECRET (made here unless given), so a token from one node works on every node.
  const env = {
    ADMIN_TOKEN: s.adminToken,
    ...(spec.needRedis ? {} : { REDIS_URL: 'off' }),
    ...(nodes > 1 && !process.env.AUTH_SECRET ? { AUTH_SECRET: randomBytes(32).toString('base64url') } : {}),
    ...spec.env,
    ...s.sutEnv,
  };
  const suts: SutHandle[] = [];
  for (let i = 1; i <= nodes; i++) {
    const sut = await startSut({
      workers: spec.workers,
      databaseUrl: services.databaseUrl,
      redisUrl: services.redisUrl,
      env,
      ...(nodes > 1 ? { nodeId: `node-${i}` } : {}),
    });
    suts.push(sut);
    stops.push(() => sut.stop());
  }
  const where = `${services.redisUrl ? 'Redis, ' : ''}${s.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'}`;
  const serviceRoots: ProcessRoot[] = [
    { name: 'postgres', ...(services.postgresPid !== undefined ? { pid: services.postgresPid } : {}) },
    ...(spec.needRedis && services.redisUrl
      ? [{ name: 'redis', ...(services.redisPid !== undefined ? { pid: services.redisPid } : {}) }]
      : []),
  ];
  const cache = (env as Record<string, string>).CACHE === 'off' ? 'cache off' : 'cache on';
  if (nodes === 1) {
    return {
      url: suts[0]!.url,
      processes: [sutRoot(suts[0]!.pid, 'sut-primary'), ...serviceRoots],
      metricsUrl: `${suts[0]!.url}/metrics`,
      readyUrl: `${suts[0]!.url}/ready`,
      suts,
      redisUrl: services.redisUrl,
      description: `${spec.workers} worker(s), ${cache}, ${where}`,
      stop,
    };
  }
  const lb = await startLoadBalancer({ kind: s.lb, upstreams: suts.map((sut) => ({ url: sut.url })) });
  stops.push(() => lb.stop());
  return {
    url: lb.url,
    processes: [
      ...suts.map((sut) => sutRoot(sut.pid, `sut-primary:${sut.nodeId}`)),
      { name: lb.kind, pid: lb.pid, group: 'lb', children: `${lb.kind}-worker` },
      ...serviceRoots,
    ],
    // Each node has its own /metrics; through the balancer a scrape would reach one node or another.
    readyUrl: `${lb.url}/ready`,
    suts,
    redisUrl: services.redisUrl,
    description: `${nodes} nodes × ${spec.workers} worker(s) behind ${lb.kind}, ${cache}, ${where}`,
    stop,
  };
}

/** A SUT node's primary; each cluster worker has its own series, sut-worker:<pid>. */
function sutRoot(pid: number, name: string): ProcessRoot {
  return { name, pid, group: 'sut', children: 'sut-worker' };
}

/** " (pids 4242, 4100)" for the start-up line: every process loadlab started here; empty when it started none. */
export function describePids(dep: Pick<Deployment, 'processes'>): string {
  const started = dep.processes.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  return started.length ? ` (pids ${started.join(', ')})` : '';
}

function useTarget(target: string): StartedDeployment {
  return {
    url: target,
    processes: [{ name: 'sut' }],
    suts: [],
    description: `--target ${target} (not started by loadlab)`,
    stop: async () => undefined,
  };
}
