// One cluster worker: serves, reports ready, answers the primary's metrics requests, and drains
// on 'drain', SIGTERM/SIGINT, or when the primary goes away (so no worker outlives it).
import cluster from 'node:cluster';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { startWorker, type Worker } from '../worker.ts';
import type { DrainMode } from './server.ts';
import { createIpcCachePeers } from './cache-relay.ts';
import { requestCacheSeed } from './cache-seed.ts';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts';

const METRICS_TIMEOUT_MS = 3000;
export const EXIT_PORT_IN_USE = 3;

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

export async function runWorkerProcess(): Promise<void> {
  const config = loadConfig(process.env); // the primary validated the same env already
  const workerId = String(cluster.worker!.id);
  const log = createLogger(config.logLevel, `sut w${workerId}`);
  const waiting = new Map<number, (body: { contentType: string; body: string }) => void>();
  let nextReq = 1;
  let worker: Worker | undefined;
  // Before startWorker: a flush relayed while this worker starts is confirmed, not lost.
  const cachePeers = createIpcCachePeers(send, () => process.connected);
  // First of all: the donor's cache travels while this worker connects to its services.
  const seedAsked = performance.now();
  const seeding = config.cacheEnabled && config.cacheHandoff ? requestCacheSeed(send) : undefined;

  const metricsText = () =>
    new Promise<{ contentType: string; body: string }>((resolve, reject) => {
      const reqId = nextReq++;
      const timer = setTimeout(() => {
        waiting.delete(reqId);
        reject(new Error('the primary did not answer the metrics request'));
      }, METRICS_TIMEOUT_MS);
      waiting.set(reqId, (answer) => {
        clearTimeout(timer);
        waiting.delete(reqId);
        resolve(answer);
      });
      send({ t: 'metrics-req', reqId });
    });

  let shuttingDown = false;
  const shutdown = async (why: string, mode: DrainMode = 'stop') => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.debug(`${why}: draining`);
    await worker?.close(config.drainTimeoutMs, mode);
    process.exit(0);
  };

  process.on('message', (message: unknown) => {
    if (!isMessage<PrimaryMessage>(message)) return;
    if (message.t === 'drain') void shutdown(`drain (${message.mode})`, message.mode);
    else if (message.t === 'metrics-res')
      waiting.get(message.reqId)?.({ contentType: message.contentType, body: message.body });
    else if (message.t === 'metrics-collect' && worker) {
      void worker.metrics.registry
        .getMetricsAsJSON()
        .then((json) => send({ t: 'metrics-json', reqId: message.reqId, json }));
    } else if (message.t === 'cache-apply' || message.t === 'cache-done') cachePeers.receive(message);
    else if (message.t === 'cache-seed') seeding?.receive(message);
    else if (message.t === 'cache-dump')
      send({ t: 'cache-dumped', dumpId: message.dumpId, seed: worker?.cache?.dump() ?? null });
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('disconnect', () => void shutdown('primary gone'));

  const seeded = await seeding?.received;
  if (seeded?.seed) {
    const ms = Math.round(performance.now() - seedAsked);
    log.info(`cache seeded with ${seeded.seed.entries.length} entries from worker ${seeded.donor} in ${ms} ms`);
  }
  try {
    worker = await startWorker(config, process.env.DATABASE_URL!, log, {
      cacheSeed: seeded?.seed ?? undefined,
      workerId,
      metricsText,
      redisUrl: config.redisUrl,
      cachePeers,
    });
  } catch (err) {
    // The primary turns this exit code into one line naming the port.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') process.exit(EXIT_PORT_IN_USE);
    throw err;
  }
  send({ t: 'ready', pid: process.pid, port: worker.port });
}
