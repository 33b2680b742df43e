// bench overhead's I/O: a bare node:http server, a bare Hono app and the SUT (one worker, cache warm) loaded by one
// generator in interleaved rounds, the generator pinned to one core and the servers to another where taskset and
// two cores allow; hands back each target's samples for the judge.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCleanup } from '../env/processes.ts';
import { VerificationError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { findTool, measureRate, type Generator, type LoadSpec } from './generators.ts';
import type { RateSamples } from './judge.ts';
import { startBenchServices, startBenchSut, warmUsers } from './sut.ts';
import { pinProcess, startBareHonoServer, startBareJsonServer, type Placement } from './targets.ts';

export interface OverheadOptions {
  durationSec: number;
  rounds: number;
  connections: number;
  warmIds: number;
  databaseUrl?: string;
}

interface OverheadTarget {
  key: 'bare' | 'bare-hono' | 'health' | 'warm-read';
  path: string;
  /** Lowest acceptable req/s ratio to the bare server. */
  goalRatio?: number;
  /** Spread reads over /api/users/1..--warm-ids. */
  randomIds?: boolean;
}

/** The targets in table order; the first is the baseline every ratio divides by. */
export const OVERHEAD_TARGETS: readonly OverheadTarget[] = [
  { key: 'bare', path: '/health' },
  { key: 'bare-hono', path: '/health' },
  { key: 'health', path: '/health', goalRatio: 0.9 },
  { key: 'warm-read', path: '/api/users', goalRatio: 0.8, randomIds: true },
];

/** The generator's CPU and the servers' when pinned (two CPUs or more, and taskset on PATH). */
export interface OverheadPinning {
  generatorCpu: number;
  serverCpu: number;
}

const GENERATOR_CPU = 0;
const SERVER_CPU = 1;

export interface OverheadFigures {
  generator: Generator['kind'];
  sliceSec: number;
  targets: RateSamples[];
  /** Non-rate output of the generator, per target (non-2xx, socket errors). */
  problems: string[];
  /** Absent: not pinned (one CPU, no taskset, or autocannon running inside this process). */
  pinning?: OverheadPinning;
}

/** Each round loads every target once, so a burst of other work on a shared machine skews one sample of each. */
export function sliceSecOf(o: Pick<OverheadOptions, 'durationSec' | 'rounds'>): number {
  return Math.max(1, Math.round(o.durationSec / o.rounds));
}

export async function runOverheadBench(o: OverheadOptions, io: CommandIO): Promise<OverheadFigures> {
  const scriptDir = await mkdtemp(join(tmpdir(), 'loadlab-overhead-'));
  try {
    return await withCleanup(async () => {
      const wrkPath = await findTool('wrk');
      const generator: Generator = wrkPath ? { kind: 'wrk', wrkPath, scriptDir } : { kind: 'autocannon' };
      // autocannon runs inside this process, which is not pinned: then nothing is.
      const tasksetPath = wrkPath && availableParallelism() >= 2 ? await findTool('taskset') : null;
      const placement: Placement = tasksetPath ? { tasksetPath, cpu: SERVER_CPU } : { tasksetPath: null };
      const bare = await startBareJsonServer(placement);
      const bareHono = await startBareHonoServer(placement);
      const services = await startBenchServices(o.databaseUrl);
      const sut = await startBenchSut(services, { workers: 1, warmIds: o.warmIds });
      if (tasksetPath) for (const pid of [sut.pid, ...sut.workerPids()]) await pinProcess(tasksetPath, pid, SERVER_CPU);
      io.stderr.write(
        `bench overhead: bare server at ${bare.url}, bare Hono at ${bareHono.url}, SUT at ${sut.url}` +
          `${tasksetPath ? `; generator on CPU ${GENERATOR_CPU}, servers on CPU ${SERVER_CPU}` : ''}` +
          `; warming the cache: ids 1..${o.warmIds}\n`,
      );
      const warm = await warmUsers(sut.url, o.warmIds);
      if (warm.firstProblem)
        throw new VerificationError(
          `verification failed, not benchmarking: ${warm.non200} warm-up reads failed, e.g. ${warm.firstProblem}`,
        );
      const urls: Record<OverheadTarget['key'], string> = {
        bare: bare.url,
        'bare-hono': bareHono.url,
        health: sut.url,
        'warm-read': sut.url,
      };
      const specs = OVERHEAD_TARGETS.map((t) => ({
        url: `${urls[t.key]}${t.path}`,
        ...(t.randomIds ? { randomIds: o.warmIds } : {}),
        ...(tasksetPath ? { cpu: GENERATOR_CPU } : {}),
      }));
      const figures = await measureRounds(o, generator, specs, tasksetPath, io);
      return tasksetPath ? { ...figures, pinning: { generatorCpu: GENERATOR_CPU, serverCpu: SERVER_CPU } } : figures;
    });
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
  }
}

async function measureRounds(
  o: OverheadOptions,
  generator: Generator,
  specs: Omit<LoadSpec, 'connections' | 'durationSec'>[],
  tasksetPath: string | null,
  io: CommandIO,
): Promise<OverheadFigures> {
  const sliceSec = sliceSecOf(o);
  const samples: number[][] = specs.map(() => []);
  const problems: string[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    for (const [i, spec] of specs.entries()) {
      const key = OVERHEAD_TARGETS[i]!.key;
      io.stderr.write(`round ${round}/${o.rounds}: ${key} (${spec.url}) for ${sliceSec}s …\n`);
      const measured = await measureRate(
        generator,
        { ...spec, connections: o.connections, durationSec: sliceSec },
        tasksetPath,
      );
      samples[i]!.push(measured.rps);
      if (measured.problems) {
        io.stderr.write(`  ${generator.kind} reported: ${measured.problems}\n`);
        problems.push(`${key}, round ${round}: ${measured.problems}`);
      }
    }
  }
  const targets = OVERHEAD_TARGETS.map((t, i) => ({
    key: t.key,
    samplesRps: samples[i]!,
    ...(t.goalRatio !== undefined ? { goalRatio: t.goalRatio } : {}),
  }));
  return { generator: generator.kind, sliceSec, targets, problems };
}
