// The cluster primary: prepares the database it is given (migrations, seed, pool budget), supervises
// the workers, relays cluster-wide metrics, reloads on SIGHUP, and drains them on SIGTERM/SIGINT.
// It starts no service: PostgreSQL comes from DATABASE_URL, Redis (optional) from REDIS_URL.
import { listenForStop } from '../../lib/stop-signals.ts';
import { formatListening, formatNodeLine, formatReloadStopped } from '../../lib/sut-protocol.ts';
import type { SutConfig } from '../config.ts';
import { formatLatencySpec } from '../cache/latency.ts';
import { checkPoolBudget } from '../data/pool-budget.ts';
import { prepareDatabase } from '../data/seed.ts';
import type { Logger } from '../log.ts';
import { createCacheRelay } from './cache-relay.ts';
import { createClusterMetrics } from './cluster-metrics.ts';
import { createSeedBroker } from './cache-seed.ts';
import type { PrimaryMessage } from './messages.ts';
import { startingPriority } from './priority.ts';
import { databaseUrlMissing, portInUse } from './startup-errors.ts';
import { Supervisor } from './supervisor.ts';
import { EXIT_PORT_IN_USE } from './worker-process.ts';

export async function runPrimary(config: SutConfig, log: Logger): Promise<number> {
  if (!config.databaseUrl) throw databaseUrlMissing();
  const databaseUrl = config.databaseUrl;
  // From the start: Ctrl-C during start-up still cleans up. The handlers stay installed while stopping, so a
  // second Ctrl-C kills the workers and ends the drain instead of killing the primary before them.
  const stop = listenForStop();
  let supervisor: Supervisor | undefined;
  const onHup = () => {
    // A reload that fails says so and the node keeps serving: its promise must never end the primary.
    if (supervisor) supervisor.reload().catch((err: Error) => log.error(formatReloadStopped(err.message)));
  };
  process.on('SIGHUP', onHup);
  try {
    await prepareDatabase(databaseUrl);
    await checkPoolBudget(databaseUrl, config.workers, config.dbPoolMax);
    const sup = createSupervisor(config, databaseUrl, log);
    supervisor = sup;
    stop.onSecond((signal) => {
      log.warn(`${signal} again: stopping the workers now`);
      sup.kill();
    });
    const started = sup.start().catch((err: Error & { exitCode?: number }) => {
      if (err.exitCode === EXIT_PORT_IN_USE) throw portInUse(config.host, config.port);
      throw err;
    });
    const first = await Promise.race([started.then(() => 'started' as const), stop.first]);
    if (first === 'started') {
      log.info(formatNodeLine(config.nodeId, config.workers, describe(config)));
      process.stdout.write(`${formatListening(config.host, sup.port, process.pid)}\n`);
      log.info(`${await stop.first}: draining`);
    }
    await sup.stop();
    return 0;
  } finally {
    process.off('SIGHUP', onHup);
    stop.dispose();
  }
}

function createSupervisor(config: SutConfig, databaseUrl: string, log: Logger): Supervisor {
  const collector = createClusterMetrics();
  const cacheRelay = createCacheRelay();
  const seeds = createSeedBroker();
  const sup: Supervisor = new Supervisor({
    workers: config.workers,
    // AUTH_SECRET: this start's random one when it was unset, so every worker, also those a reload
    // forks, signs and checks tokens alike; a restart makes a new one.
    env: {
      DATABASE_URL: databaseUrl,
      NODE_ID: config.nodeId,
      REDIS_URL: config.redisUrl ?? '',
      AUTH_SECRET: config.authSecret,
    },
    log,
    drainTimeoutMs: config.drainTimeoutMs,
    startingPriority: startingPriority(config.startingNice),
    onMessage: (worker, message) => {
      if (message.t === 'metrics-json') collector.answer(message.reqId, message.json);
      // One cache per node: a worker's flush or write reaches every other worker's LRU.
      if (message.t === 'cache-op' || message.t === 'cache-applied')
        cacheRelay.receive(worker, message, sup.liveWorkers());
      // A starting worker's cache comes from the worker it replaces (or a live one), so a reload starts warm.
      if (message.t === 'cache-seed-req') seeds.request(worker, sup.donorFor(worker));
      if (message.t === 'cache-dumped') seeds.receive(message);
      if (message.t === 'metrics-req') {
        void collector.collect(sup.liveWorkers()).then((body) => {
          const answer: PrimaryMessage = {
            t: 'metrics-res',
            reqId: message.reqId,
            body,
            contentType: 'text/plain; version=0.0.4; charset=utf-8',
          };
          if (worker.isConnected()) worker.send(answer);
        });
      }
    },
  });
  return sup;
}

function describe(config: SutConfig): string {
  const redis = config.redisUrl ? 'REDIS_URL' : 'no Redis (tasks off)';
  const cache = config.cacheEnabled ? `cache ${config.cacheMax} entries/${config.cacheTtlMs} ms` : 'cache off';
  return `DATABASE_URL, ${redis}, ${cache}, latency ${formatLatencySpec(config.latency)}; SIGHUP reloads`;
}
