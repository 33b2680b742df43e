// The cluster primary: starts the services, checks the pool budget, supervises the workers,
// relays cluster-wide metrics, reloads on SIGHUP, and stops everything it started on SIGTERM/SIGINT.
import type { SutConfig } from '../config.ts';
import { formatLatencySpec } from '../cache/latency.ts';
import { checkPoolBudget } from '../data/pool-budget.ts';
import { prepareDatabase } from '../data/seed.ts';
import type { Logger } from '../log.ts';
import { ServiceError } from '../../services/errors.ts';
import { startPostgres } from '../../services/postgres.ts';
import { startRedis, type RedisHandle } from '../../services/redis.ts';
import { createClusterMetrics } from './cluster-metrics.ts';
import type { PrimaryMessage } from './messages.ts';
import { Supervisor } from './supervisor.ts';
import { EXIT_PORT_IN_USE } from './worker-process.ts';

/** The port is taken: exit 3 (missing environment) with one line, not a stack trace. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`port ${port} on ${host} is already in use: stop what holds it, or set PORT to a free port (PORT=0 picks one)`);
    this.name = 'PortInUseError';
  }
}

export async function runPrimary(config: SutConfig, log: Logger): Promise<number> {
  const stopSignal = waitForStopSignal(); // from the start: Ctrl-C during start-up still cleans up
  const postgres = await startPostgres({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let redis: RedisHandle | undefined;
  let supervisor: Supervisor | undefined;
  const onHup = () => {
    if (supervisor) void supervisor.reload();
  };
  process.on('SIGHUP', onHup);
  try {
    await prepareDatabase(postgres.url);
    await checkPoolBudget(postgres.url, config.workers, config.dbPoolMax);
    redis = await startOptionalRedis(config, log);
    const collector = createClusterMetrics();
    const sup = new Supervisor({
      workers: config.workers,
      env: { DATABASE_URL: postgres.url, NODE_ID: config.nodeId, REDIS_URL: redis?.url ?? '' },
      log,
      drainTimeoutMs: config.drainTimeoutMs,
      onMessage: (worker, message) => {
        if (message.t === 'metrics-json') collector.answer(message.reqId, message.json);
        if (message.t === 'metrics-req') {
          void collector.collect(sup.liveWorkers()).then((body) => {
            const answer: PrimaryMessage = { t: 'metrics-res', reqId: message.reqId, body, contentType: 'text/plain; version=0.0.4; charset=utf-8' };
            if (worker.isConnected()) worker.send(answer);
          });
        }
      },
    });
    supervisor = sup;
    const started = sup.start().catch((err: Error & { exitCode?: number }) => {
      if (err.exitCode === EXIT_PORT_IN_USE) throw new PortInUseError(config.host, config.port);
      throw err;
    });
    const first = await Promise.race([started.then(() => 'started' as const), stopSignal]);
    if (first === 'started') {
      const where = `${postgres.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}, ${redis ? (redis.embedded ? 'redis-server from PATH' : 'REDIS_URL') : 'no Redis (tasks off)'}`;
      const cache = config.cacheEnabled ? `cache ${config.cacheMax} entries/${config.cacheTtlMs} ms` : 'cache off';
      log.info(`node ${config.nodeId}: ${config.workers} worker(s), ${where}, ${cache}, latency ${formatLatencySpec(config.latency)}; SIGHUP reloads`);
      process.stdout.write(`loadlab sut listening on http://${config.host}:${sup.port} (pid ${process.pid}; kill -HUP ${process.pid} reloads)\n`);
      log.info(`${await stopSignal}: draining`);
    }
    await sup.stop();
    return 0;
  } finally {
    process.off('SIGHUP', onHup);
    await redis?.stop();
    await postgres.stop();
  }
}

/** Redis is optional: without it the SUT serves everything but the task routes (503). */
async function startOptionalRedis(config: SutConfig, log: Logger): Promise<RedisHandle | undefined> {
  try {
    if (config.redisOff) return undefined;
    return await startRedis({ redisUrl: config.redisUrl });
  } catch (err) {
    if (!(err instanceof ServiceError) || config.redisUrl) throw err;
    log.warn(`running without Redis, task routes answer 503: ${err.message}`);
    return undefined;
  }
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const once = (signal: NodeJS.Signals) => {
      process.off('SIGINT', once);
      process.off('SIGTERM', once);
      resolve(signal);
    };
    process.on('SIGINT', once);
    process.on('SIGTERM', once);
  });
}
