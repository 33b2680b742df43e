// Entry point: the cluster primary (services, supervision) or, in a forked process, one worker.
import cluster from 'node:cluster';
import { ConfigError, loadConfig, type SutConfig } from './config.ts';
import { createLogger } from './log.ts';
import { PortInUseError, runPrimary } from './runtime/primary.ts';
import { runWorkerProcess } from './runtime/worker-process.ts';
import { ServiceError } from '../services/errors.ts';

const EXIT_CONFIG = 2;
const EXIT_ENVIRONMENT = 3;
const EXIT_INTERNAL = 4;

function fail(code: number, lines: string[]): number {
  for (const line of lines) process.stderr.write(`loadlab sut: ${line}\n`);
  return code;
}

async function main(): Promise<number> {
  let config: SutConfig;
  try {
    config = loadConfig(process.env);
    return await runPrimary(config, createLogger(config.logLevel));
  } catch (err) {
    if (err instanceof ConfigError) return fail(EXIT_CONFIG, err.problems.map((p) => `bad config: ${p}`));
    if (err instanceof ServiceError || err instanceof PortInUseError) return fail(EXIT_ENVIRONMENT, [err.message]);
    return fail(EXIT_INTERNAL, [`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`]);
  }
}

if (cluster.isPrimary) {
  main().then((code) => process.exit(code));
} else {
  runWorkerProcess().catch((err: unknown) => {
    process.stderr.write(`loadlab sut worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(EXIT_INTERNAL);
  });
}
