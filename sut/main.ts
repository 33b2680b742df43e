// Entry point: the cluster primary (database preparation, supervision) or, in a forked process, one worker.
import cluster from 'node:cluster';
import { SUT_EXIT } from '../lib/sut-protocol.ts';
import { ConfigError, loadConfig, type SutConfig } from './config.ts';
import { createLogger } from './log.ts';
import { runPrimary } from './runtime/primary.ts';
import { StartupEnvironmentError } from './runtime/startup-errors.ts';
import { runWorkerProcess } from './runtime/worker-process.ts';

function fail(code: number, lines: string[]): number {
  for (const line of lines) process.stderr.write(`loadlab sut: ${line}\n`);
  return code;
}

async function main(): Promise<number> {
  let config: SutConfig;
  try {
    config = loadConfig(process.env);
    const log = createLogger(config.logLevel);
    // Not before the one line a start without DATABASE_URL ends with.
    if (config.authSecretGenerated && config.databaseUrl) {
      log.info(
        'AUTH_SECRET is unset: tokens are signed with a random secret made for this start (a reload keeps it, a restart does not)',
      );
    }
    return await runPrimary(config, log);
  } catch (err) {
    if (err instanceof ConfigError)
      return fail(
        SUT_EXIT.config,
        err.problems.map((p) => `bad config: ${p}`),
      );
    if (err instanceof StartupEnvironmentError) return fail(SUT_EXIT.environment, [err.message]);
    return fail(SUT_EXIT.internal, [
      `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    ]);
  }
}

if (cluster.isPrimary) {
  void main().then((code) => process.exit(code));
} else {
  runWorkerProcess().catch((err: unknown) => {
    process.stderr.write(`loadlab sut worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(SUT_EXIT.internal);
  });
}
