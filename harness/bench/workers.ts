// bench:workers — warm cached reads from a 1-worker SUT and from a 2-worker SUT, same generator,
// one invocation: req/s of each and the speed-up, naming the cores each side had.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasWrk, measure, startListening, stop, SUT_MAIN, type LoadOptions } from './sut-bench.ts';

export interface WorkersBenchOptions extends LoadOptions {
  workers: number[];
  warmIds: number;
  warmupSec: number;
  databaseUrl?: string;
}

async function measureWorkers(workers: number, opts: WorkersBenchOptions, generator: 'wrk' | 'autocannon', dir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', WORKERS: String(workers), LOG_LEVEL: 'warn', CACHE: 'on', REDIS_URL: '' };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  const sut = await startListening(process.execPath, ['--import', 'tsx', SUT_MAIN], env);
  try {
    const target = { name: `${workers} worker(s)`, url: `${sut.url}/api/users`, randomIds: opts.warmIds };
    // Each worker has its own cache: a timed warm-up through the same generator fills all of them.
    process.stderr.write(`WORKERS=${workers}: warming ${opts.warmupSec}s, measuring ${opts.durationSec}s …\n`);
    await measure(generator, target, { ...opts, durationSec: opts.warmupSec }, dir);
    return await measure(generator, target, opts, dir);
  } finally {
    await stop(sut.child);
  }
}

export async function runWorkersBench(opts: WorkersBenchOptions): Promise<number> {
  const generator = hasWrk() ? 'wrk' : 'autocannon';
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-workers-'));
  try {
    const rates: number[] = [];
    for (const workers of opts.workers) rates.push(await measureWorkers(workers, opts, generator, dir));
    const base = rates[0]!;
    const cores = availableParallelism();
    process.stdout.write(
      [
        '| SUT workers | req/s | speed-up vs 1 | efficiency |',
        '|---|---|---|---|',
        ...opts.workers.map((w, i) => `| ${w} | ${Math.round(rates[i]!).toLocaleString('en-US')} | ${(rates[i]! / base).toFixed(2)} | ${((rates[i]! / base / w) * 100).toFixed(0)}% |`),
        '',
        `method: ${generator === 'wrk' ? 'wrk (1 thread)' : 'autocannon'}, ${opts.connections} connections, warm GET /api/users/:id over ids 1..${opts.warmIds}, ` +
          `${opts.warmupSec}s warm-up + ${opts.durationSec}s each, one run; Node ${process.version}; ${cpus()[0]?.model ?? 'cpu'}. ` +
          `Cores: ${cores} in all, shared by the generator (1 thread), the SUT workers and PostgreSQL — so with ${cores} cores a ` +
          `2-worker SUT competes with its own generator, and the speed-up is a floor, not the SUT's scaling.`,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
