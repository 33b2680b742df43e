// Entry point: env → config → Postgres (embedded or DATABASE_URL) → one serving process.
import { ConfigError, loadConfig, type SutConfig } from './config.ts';
import { formatLatencySpec } from './cache/latency.ts';
import { prepareDatabase } from './data/seed.ts';
import { createLogger } from './log.ts';
import { startPostgres } from './services/postgres.ts';
import { ServiceError } from './services/errors.ts';
import { startWorker } from './worker.ts';

const EXIT_CONFIG = 2;
const EXIT_ENVIRONMENT = 3;
const EXIT_INTERNAL = 4;

async function main(): Promise<number> {
  let config: SutConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`loadlab sut: bad config: ${problem}\n`);
    return EXIT_CONFIG;
  }
  const log = createLogger(config.logLevel);
  const signal = waitForSignal(); // listen from the start: Ctrl-C during start-up still cleans up
  const postgres = await startPostgres({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await prepareDatabase(postgres.url);
    const worker = await startWorker(config, postgres.url, log);
    const where = postgres.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL';
    const cache = config.cacheEnabled ? `cache ${config.cacheMax} entries/${config.cacheTtlMs} ms` : 'cache off';
    log.info(`node ${config.nodeId}: ${where}, ${cache}, latency ${formatLatencySpec(config.latency)}`);
    process.stdout.write(`loadlab sut listening on http://${config.host}:${worker.port}\n`);
    log.info(`${await signal}: draining`);
    await worker.close();
  } finally {
    await postgres.stop();
  }
  return 0;
}

function waitForSignal(): Promise<NodeJS.Signals> {
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

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ServiceError) {
      process.stderr.write(`loadlab sut: ${err.message}\n`);
      process.exit(EXIT_ENVIRONMENT);
    }
    process.stderr.write(`loadlab sut: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_INTERNAL);
  },
);
