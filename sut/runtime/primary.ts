// The cluster primary: prepares the database it is given (migrations, seed, pool budget), supervises
// the workers, relays cluster-wide metrics, reloads on SIGHUP, and drains them on SIGTERM/SIGINT.
// It starts no service: PostgreSQL comes from DATABASE_URL, Redis (optional) from REDIS_URL.
import { formatListening, formatNodeLine } from '../../lib/sut-protocol.ts';
import type { SutConfig } from '../config.ts';
import { formatLatencySpec } from '../cache/latency.ts';
import { checkPoolBudget } from '../data/pool-budget.ts';
import { prepareDatabase } from '../data/seed.ts';
import type { Logger } from '../log.ts';
import { createClusterMetrics } from './cluster-metrics.ts';
import type { PrimaryMessage } from './messages.ts';
import { databaseUrlMissing, portInUse } from './startup-errors.ts';
import { Supervisor } from './supervisor.ts';
import { EXIT_PORT_IN_USE } from './worker-process.ts';

/** A repeat of the stop signal this soon is the same keypress relayed twice (npm forwards it), not a second Ctrl-C. */
const REPEAT_SIGNAL_MS = 500;

export async function runPrimary(config: SutConfig, log: Logger): Promise<number> {
  if (!config.databaseUrl) throw databaseUrlMissing();
  const databaseUrl = config.databaseUrl;
  const stop = listenForStop(log); // from the start: Ctrl-C during start-up still cleans up
  let supervisor: Supervisor | undefined;
  const onHup = () => {
    if (supervisor) void supervisor.reload();
  };
  process.on('SIGHUP', onHup);
  try {
    await prepareDatabase(databaseUrl);
    await checkPoolBudget(databaseUrl, config.workers, config.dbPoolMax);
    const sup = createSupervisor(config, databaseUrl, log);
    supervisor = sup;
    stop.onHurry(() => sup.kill());
    const started = sup.start().catch((err: Error & { exitCode?: number }) => {
      if (err.exitCode === EXIT_PORT_IN_USE) throw portInUse(config.host, config.port);
      throw err;
    });
    const first = await Promise.race([started.then(() => 'started' as const), stop.signal]);
    if (first === 'started') {
      log.info(formatNodeLine(config.nodeId, config.workers, describe(config)));
      process.stdout.write(`${formatListening(config.host, sup.port, process.pid)}\n`);
      log.info(`${await stop.signal}: draining`);
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
  const sup: Supervisor = new Supervisor({
    workers: config.workers,
    env: { DATABASE_URL: databaseUrl, NODE_ID: config.nodeId, REDIS_URL: config.redisUrl ?? '' },
    log,
    drainTimeoutMs: config.drainTimeoutMs,
    onMessage: (worker, message) => {
      if (message.t === 'metrics-json') collector.answer(message.reqId, message.json);
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

/**
 * The first SIGTERM/SIGINT starts the drain; a second one later than REPEAT_SIGNAL_MS means "now":
 * the workers are killed and the drain ends at once. The handlers stay installed while stopping, so
 * a repeated signal never kills the primary before its workers.
 */
function listenForStop(log: Logger): {
  signal: Promise<NodeJS.Signals>;
  onHurry(fn: () => void): void;
  dispose(): void;
} {
  let firstAtMs: number | undefined;
  let hurry: (() => void) | undefined;
  let resolveSignal!: (signal: NodeJS.Signals) => void;
  const signal = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const onSignal = (received: NodeJS.Signals) => {
    if (firstAtMs === undefined) {
      firstAtMs = Date.now();
      resolveSignal(received);
    } else if (Date.now() - firstAtMs >= REPEAT_SIGNAL_MS) {
      log.warn(`${received} again: stopping the workers now`);
      hurry?.();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal,
    onHurry: (fn) => (hurry = fn),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
