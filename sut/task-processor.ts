// A separate task-processing process (`npm run tasks:process`): takes jobs from REDIS_URL and does
// them on DATABASE_URL, for runs where SUT workers only enqueue (TASK_CONCURRENCY=0 on the SUT).
import { ConfigError, loadConfig } from './config.ts';
import { createLatencySampler } from './cache/latency.ts';
import { createPgStore } from './data/pg-store.ts';
import { startTaskWorker } from './jobs/queue.ts';
import { createReportWork } from './jobs/report.ts';
import { createLogger } from './log.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`loadlab tasks: bad config: ${p}\n`);
    return 2;
  }
  if (!config.databaseUrl || !config.redisUrl) {
    process.stderr.write('loadlab tasks: set DATABASE_URL and REDIS_URL to the ones the SUT uses\n');
    return 2;
  }
  const log = createLogger(config.logLevel, 'tasks');
  const store = createPgStore({
    url: config.databaseUrl,
    poolMax: config.dbPoolMax,
    connectionTimeoutMs: config.dbConnectTimeoutMs,
  });
  const concurrency = Math.max(1, config.taskConcurrency);
  const worker = startTaskWorker({
    redisUrl: config.redisUrl,
    concurrency,
    work: createReportWork(store, createLatencySampler(config.latency, config.latencySeed)),
    log,
  });
  log.info(`processing tasks, ${concurrency} at once`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await worker.close();
  await store.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`loadlab tasks: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(4);
  },
);
