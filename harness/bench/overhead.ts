// bench overhead's I/O: a bare node:http server and the SUT (one worker, cache warm) loaded by one generator in
// interleaved rounds; hands back each target's samples for the judge.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCleanup } from '../env/processes.ts';
import { VerificationError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import { findTool, measureRate, type Generator, type LoadSpec } from './generators.ts';
import type { RateSamples } from './judge.ts';
import { startBenchServices, startBenchSut, warmUsers } from './sut.ts';
import { startBareJsonServer } from './targets.ts';

export interface OverheadOptions {
  durationSec: number;
  rounds: number;
  connections: number;
  warmIds: number;
  databaseUrl?: string;
}

interface OverheadTarget {
  key: 'bare' | 'health' | 'warm-read';
  path: string;
  /** Lowest acceptable req/s ratio to the bare server. */
  goalRatio?: number;
  /** Spread reads over /api/users/1..--warm-ids. */
  randomIds?: boolean;
}

/** The targets in table order; the first is the baseline every ratio divides by. */
export const OVERHEAD_TARGETS: readonly OverheadTarget[] = [
  { key: 'bare', path: '/health' },
  { key: 'health', path: '/health', goalRatio: 0.9 },
  { key: 'warm-read', path: '/api/users', goalRatio: 0.6, randomIds: true },
];

export interface OverheadFigures {
  generator: Generator['kind'];
  sliceSec: number;
  targets: RateSamples[];
  /** Non-rate output of the generator, per target (non-2xx, socket errors). */
  problems: string[];
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
      const bare = await startBareJsonServer();
      const services = await startBenchServices(o.databaseUrl);
      const sut = await startBenchSut(services, { workers: 1, warmIds: o.warmIds });
      io.stderr.write(
        `bench overhead: bare server at ${bare.url}, SUT at ${sut.url}; warming the cache: ids 1..${o.warmIds}\n`,
      );
      const warm = await warmUsers(sut.url, o.warmIds);
      if (warm.firstProblem)
        throw new VerificationError(
          `verification failed, not benchmarking: ${warm.non200} warm-up reads failed, e.g. ${warm.firstProblem}`,
        );
      const specs = OVERHEAD_TARGETS.map((t) => ({
        url: `${t.key === 'bare' ? bare.url : sut.url}${t.path}`,
        ...(t.randomIds ? { randomIds: o.warmIds } : {}),
      }));
      return measureRounds(o, generator, specs, io);
    });
  } finally {
    await rm(scriptDir, { recursive: true, force: true });
  }
}

async function measureRounds(
  o: OverheadOptions,
  generator: Generator,
  specs: Omit<LoadSpec, 'connections' | 'durationSec'>[],
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
        null,
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
