// The SUT as the benches load it: the run's services (PostgreSQL, no Redis) through env/services.ts, then SUT nodes
// through env/sut.ts — both tracked by env/processes.ts, so the caller's withCleanup stops whatever is left.
import { startServices, type Services } from '../env/services.ts';
import { startSut, type SutHandle } from '../env/sut.ts';

/** Logs at warn (no line per request) and runs without Redis: nothing else competes with the SUT for the cores. */
const BENCH_SUT_ENV = { LOG_LEVEL: 'warn', CACHE: 'on', REDIS_URL: 'off' } as const;

/** The cache holds every warmed id (and never fewer entries than the SUT's usual 10,000). */
export function cacheMaxFor(warmIds: number): number {
  return Math.max(10_000, warmIds * 2);
}

export function startBenchServices(databaseUrl: string | undefined): Promise<Services> {
  return startServices({ databaseUrl, needRedis: false });
}

export function startBenchSut(services: Services, o: { workers: number; warmIds: number }): Promise<SutHandle> {
  const env = { ...BENCH_SUT_ENV, CACHE_MAX: String(cacheMaxFor(o.warmIds)) };
  return startSut({ workers: o.workers, databaseUrl: services.databaseUrl, env });
}

/** GETs /api/users/1..warmIds once each (filling the cache); every one must answer 200, or nothing is measured. */
export async function warmUsers(sutUrl: string, warmIds: number): Promise<{ non200: number; firstProblem?: string }> {
  let non200 = 0;
  let firstProblem: string | undefined;
  for (let id = 1; id <= warmIds; id++) {
    const response = await fetch(`${sutUrl}/api/users/${id}`);
    await response.arrayBuffer();
    if (response.status !== 200) {
      non200 += 1;
      firstProblem ??= `GET /api/users/${id} → ${response.status}`;
    }
  }
  return firstProblem ? { non200, firstProblem } : { non200 };
}
