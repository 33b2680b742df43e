// The backing services of a run: one PostgreSQL and, when the level needs it, one Redis, shared by
// every SUT node (each SUT primary migrates and seeds the database, under advisory locks); a
// missing one stops the run with exit 3 and the service's own "three ways to get it" message.
import { ServiceError } from '../../services/errors.ts';
import { startPostgres, type PostgresHandle } from '../../services/postgres.ts';
import { startRedis, type RedisHandle } from '../../services/redis.ts';
import { EnvironmentError } from '../errors.ts';
import { track, untrack } from './processes.ts';

export interface StartServicesOptions {
  /** Use this database (default: env DATABASE_URL, else the embedded PostgreSQL in .data/postgres). */
  databaseUrl?: string;
  /** Use this Redis (default: env REDIS_URL, else redis-server from PATH when needRedis). */
  redisUrl?: string;
  /** Start (or check) Redis; without it, redisUrl is passed through unchecked or left unset. */
  needRedis: boolean;
}

export interface Services {
  databaseUrl: string;
  redisUrl?: string;
  /** The PostgreSQL and Redis servers' pids when this started them (unset: external, or no Redis). */
  postgresPid?: number;
  redisPid?: number;
  stop(): Promise<void>;
}

/**
 * Starts what the SUT nodes of one run share.
 * @example const services = await startServices({ needRedis: false }); … await services.stop();
 */
export async function startServices(opts: StartServicesOptions): Promise<Services> {
  let postgres: PostgresHandle | undefined;
  let redis: RedisHandle | undefined;
  const stopBoth = async () => {
    await redis?.stop();
    await postgres?.stop();
  };
  try {
    postgres = await startDatabase(opts.databaseUrl);
    if (opts.needRedis) redis = await startRedis({ redisUrl: opts.redisUrl });
  } catch (err) {
    await stopBoth().catch(() => undefined);
    if (err instanceof ServiceError) throw new EnvironmentError(err.message);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const services: Services = {
    databaseUrl: postgres.url,
    redisUrl: redis?.url ?? (opts.needRedis ? undefined : opts.redisUrl),
    ...(postgres.embedded && postgres.pid !== undefined ? { postgresPid: postgres.pid } : {}),
    ...(redis?.embedded && redis.pid !== undefined ? { redisPid: redis.pid } : {}),
    stop: () => (stopping ??= stopBoth().finally(() => untrack(services))),
  };
  return track(services);
}

// The SUT's `npm start` uses the same folder: while one runs, a bench takes the next one (seeded
// once on its first use) instead of stopping with "busy".
const DATA_FOLDERS = ['postgres', 'postgres-bench'];

async function startDatabase(databaseUrl: string | undefined): Promise<PostgresHandle> {
  for (const name of DATA_FOLDERS.slice(0, -1)) {
    try {
      return await startPostgres({ databaseUrl, name });
    } catch (err) {
      if (!(err instanceof ServiceError && err.code === 'LOADLAB_SERVICE_BUSY')) throw err;
    }
  }
  return startPostgres({ databaseUrl, name: DATA_FOLDERS.at(-1) });
}
