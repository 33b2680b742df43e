// bench workers' I/O: warm cached reads from a 1-worker and then a 2-worker SUT, one generator, one invocation;
// hands back the rate of each for the judge.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCleanup } from '../env/processes.ts';
import type { Services } from '../env/services.ts';
import { VerificationError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { findTool, measureRate, type Generator } from './generators.ts';
import type { WorkersRate } from './judge.ts';
import { startBenchServices, startBenchSut, warmUsers } from './sut.ts';

export interface WorkersOptions {
  durationSec: number;
  connections: number;
  warmIds: number;
  databaseUrl?: string;
}

/** The SUT sizes compared, and the timed warm-up that fills every worker's own cache through the generator. */
export const WORKER_COUNTS = [1, 2] as const;
export const WORKERS_WARMUP_SEC = 3;

export interface WorkersFigures {
  generator: Generator['kind'];
  rates: WorkersRate[];
  problems: string[];
}

export async function runWorkersBench(o: WorkersOptions, io: CommandIO): Promise<WorkersFigures> {
  const scriptDir = await mkdtemp(join(tmpdir(), 'loadlab-workers-'));
  try {
    return await withCleanup(async () => {
      const wrkPath = await findTool('wrk');
      const generator: Generator = wrkPath ? { kind: 'wrk', wrkPath, scriptDir } : { kind: 'autocannon' };
      const services = await startBenchServices(o.databaseUrl);
      const rates: WorkersRate[] = [];
      const problems: string[] = [];
      for (const workers of WORKER_COUNTS)
        rates.push({ workers, rps: await measureWorkers(workers, services, generator, o, io, problems) });
      return { generator: generator.kind, rates, problems };
    });
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
  }
}

async function measureWorkers(
  workers: number,
  services: Services,
  generator: Generator,
  o: WorkersOptions,
  io: CommandIO,
  problems: string[],
): Promise<number> {
  const sut = await startBenchSut(services, { workers, warmIds: o.warmIds });
  try {
    const check = await warmUsers(sut.url, 1);
    if (check.firstProblem) throw new VerificationError(`verification failed, not benchmarking: ${check.firstProblem}`);
    const spec = { url: `${sut.url}/api/users`, randomIds: o.warmIds, connections: o.connections };
    io.stderr.write(`WORKERS=${workers}: warming ${WORKERS_WARMUP_SEC}s, measuring ${o.durationSec}s …\n`);
    await measureRate(generator, { ...spec, durationSec: WORKERS_WARMUP_SEC }, null);
    const measured = await measureRate(generator, { ...spec, durationSec: o.durationSec }, null);
    if (measured.problems) {
      io.stderr.write(`  ${generator.kind} reported: ${measured.problems}\n`);
      problems.push(`${workers} worker(s): ${measured.problems}`);
    }
    return measured.rps;
  } finally {
    await sut.stop();
  }
}
