// `npm start`: starts the embedded PostgreSQL (and Redis unless REDIS_URL=off), then the SUT with
// DATABASE_URL/REDIS_URL; forwards SIGHUP; on Ctrl-C stops the SUT, then Redis, then PostgreSQL,
// and exits only once all are gone, with the SUT's exit code. A second Ctrl-C kills what is left.
import { listenForStop } from '../lib/stop-signals.ts';
import { ensureSutBuilt } from '../lib/sut-build.ts';
import { SUT_EXIT } from '../lib/sut-protocol.ts';
import { ServiceError } from './errors.ts';
import { startPostgres, type PostgresHandle } from './postgres.ts';
import { startRedis, type RedisHandle } from './redis.ts';
import { groupMembers, spawnOwned, type OwnedChild } from './spawn.ts';

/** The SUT drains for up to DRAIN_TIMEOUT_MS (default 10 s); past this margin its group is killed. */
const SUT_STOP_MARGIN_MS = 5_000;
const HURRY_WAIT_MS = 2_000;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

interface Started {
  postgres?: PostgresHandle;
  redis?: RedisHandle;
  sut?: OwnedChild;
}

const say = (line: string): void => void process.stderr.write(`loadlab: ${line}\n`);

async function main(): Promise<number> {
  const started: Started = {};
  const signals = watchSignals(started);
  try {
    started.postgres = await startPostgres({ databaseUrl: process.env.DATABASE_URL });
    if (signals.stopRequested()) return await stopAll(started, null);
    const redisUrl = await startOptionalRedis(started);
    if (signals.stopRequested()) return await stopAll(started, null);
    say(describeServices(started));
    const sutBundle = await ensureSutBuilt();
    if (signals.stopRequested()) return await stopAll(started, null);
    started.sut = startSut(sutBundle, started.postgres.url, redisUrl);
    if (signals.stopRequested()) void stopAll(started, null); // the signal came while we spawned it
    const [code, signal] = await started.sut.exit;
    return await stopAll(started, code ?? (signal ? 128 + signalNumber(signal) : SUT_EXIT.internal));
  } catch (err) {
    await stopAll(started, null);
    if (!(err instanceof ServiceError)) throw err;
    say(err.message);
    return err.exitCode;
  }
}

/** REDIS_URL=off: none. A given REDIS_URL: passed through. Else redis-server from PATH, or none with a warning. */
async function startOptionalRedis(started: Started): Promise<string> {
  const given = process.env.REDIS_URL?.trim();
  if (given?.toLowerCase() === 'off') return 'off';
  try {
    started.redis = await startRedis({ redisUrl: given || undefined });
    return started.redis.url;
  } catch (err) {
    if (!(err instanceof ServiceError) || given) throw err;
    say(`running without Redis, task routes answer 503: ${err.message.split('\n')[0]}`);
    return 'off';
  }
}

function describeServices({ postgres, redis }: Started): string {
  const db = postgres?.embedded ? `embedded PostgreSQL in ${postgres.dataDir} (port ${postgres.port})` : 'DATABASE_URL';
  const cache = redis
    ? redis.embedded
      ? `redis-server from PATH (port ${redis.port})`
      : 'REDIS_URL'
    : 'no Redis (tasks off)';
  return `${db}, ${cache}; starting the SUT`;
}

function startSut(sutBundle: string, databaseUrl: string, redisUrl: string): OwnedChild {
  const drainTimeoutMs = Number(process.env.DRAIN_TIMEOUT_MS) || 10_000;
  // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the SUT once, first.
  return spawnOwned(process.execPath, [sutBundle], {
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
    output: 'inherit',
    watchdog: { signal: 'SIGTERM', group: true, killAfterMs: drainTimeoutMs + SUT_STOP_MARGIN_MS },
  });
}

let stopping: Promise<number> | undefined;
/** Set by a second Ctrl-C: the exit code wins over whatever the stop in progress returns meanwhile. */
let forcedExitCode: number | undefined;

/** Stops the SUT (drain), then Redis, then PostgreSQL; resolves once all are gone. */
function stopAll(started: Started, sutCode: number | null): Promise<number> {
  stopping ??= (async () => {
    await started.postgres?.markStopping(); // a start meanwhile waits for this folder
    const drainTimeoutMs = Number(process.env.DRAIN_TIMEOUT_MS) || 10_000;
    const [code, signal] = started.sut
      ? await started.sut.stop('SIGTERM', drainTimeoutMs + SUT_STOP_MARGIN_MS)
      : [sutCode, null];
    await started.redis?.stop();
    await started.postgres?.stop();
    // A SUT ended by a signal did not succeed: 128 + the signal's number, as a shell reports it.
    return sutCode ?? code ?? (signal ? 128 + signalNumber(signal) : SUT_EXIT.ok);
  })();
  return stopping;
}

/** A second Ctrl-C: SIGKILL every process group we started, wait briefly until they are gone, exit. */
async function killAll(started: Started, signal: NodeJS.Signals): Promise<never> {
  forcedExitCode = SIGNAL_EXIT[signal] ?? 1;
  say(`${signal} again: killing what is left`);
  const groups = [started.sut?.pid, started.redis?.pid, started.postgres?.pid].filter(
    (pid): pid is number => pid !== undefined && pid > 0,
  );
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (
    const deadline = Date.now() + HURRY_WAIT_MS;
    Date.now() < deadline && groups.some((g) => groupMembers(g).length > 0);
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.exit(forcedExitCode); // the PostgreSQL handle's exit hook releases its folder lock
}

/** The first Ctrl-C stops the SUT, then its services; a second, later one kills what is left. */
function watchSignals(started: Started): { stopRequested(): boolean } {
  const stop = listenForStop();
  void stop.first.then((signal) => {
    say(`${signal}: stopping the SUT, then its services`);
    if (started.sut) void stopAll(started, null);
  });
  stop.onSecond((signal) => void killAll(started, signal));
  // SIGHUP is the SUT's rolling reload; before the SUT runs it must not end us (its default).
  process.on('SIGHUP', () => void (started.sut && !started.sut.exited() && started.sut.child.kill('SIGHUP')));
  return { stopRequested: () => stop.requested() };
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 0;
}

main().then(
  (code) => process.exit(forcedExitCode ?? code),
  (err: unknown) => {
    say(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(SUT_EXIT.internal);
  },
);
