// Vitest global setup: a real Redis for the whole run — REDIS_URL if set, else a redis-server from
// PATH on a free port — handed to tests by inject('redisUrl'); '' (tests skip, loudly) only off CI.
import type { TestProject } from 'vitest/node';
import { ServiceError } from '../services/errors.ts';
import { startRedis, type RedisHandle } from '../services/redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Redis for queue tests: `inject('redisUrl')`; '' when none could be had (tests skip). */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let redis: RedisHandle | undefined;
  try {
    redis = await startRedis();
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    // On CI a skipped Redis test would be a silent gap, so no Redis is a failure there.
    if (process.env.CI === 'true') throw Object.assign(new Error(err.message), { stack: err.message });
    const firstLine = err.message.split('\n')[0];
    process.stderr.write(
      `\n!!! REDIS TESTS WILL BE SKIPPED: ${firstLine} Get Redis: apt-get install redis-server | docker compose up -d redis | REDIS_URL=redis://host:6379 !!!\n\n`,
    );
    project.provide('redisUrl', '');
    return async () => undefined;
  }
  process.stderr.write(`tests use ${redis.embedded ? `redis-server on port ${redis.port}` : 'REDIS_URL'}\n`);
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis?.stop();
  };
}
