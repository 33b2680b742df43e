// The method line names the load generator's threads and arrivals: what the phases used, else what was asked.
import { describe, expect, it } from 'vitest';
import { describeGenerator, describeMethod, type MethodSettings } from '../../../harness/report/method.ts';
import type { Environment, GeneratorReport } from '../../../harness/report/model.ts';

const environment: Environment = { node: 'v20.20.2', cpus: 8, cpuModel: 'AMD EPYC', os: 'Linux', gitCommit: null };
const plan: MethodSettings = {
  quick: true,
  warmupSec: 2,
  closedSec: 4,
  openSec: 4,
  connections: 32,
  loadFraction: 0.5,
};
const gen = (threads?: number): GeneratorReport => ({
  cpuPctMean: 10,
  cpuPctMax: 20,
  eventLoopP99Ms: 1,
  ...(threads ? { threads } : {}),
});

describe('describeGenerator', () => {
  it.each([
    [
      'asked only (no phases yet)',
      { generatorThreads: 4, arrivals: 'uniform' as const },
      [],
      'load generator: 4 threads of 8 cores, uniform arrivals in open phases',
    ],
    [
      'what the phases used, and what was asked when it differs',
      { generatorThreads: 4, arrivals: 'uniform' as const },
      [{ generator: gen(3) }, { generator: gen(2), arrivals: 'poisson' as const }],
      'load generator: 3 threads of 8 cores (4 asked), poisson arrivals in open phases',
    ],
    [
      'one thread when the phases report none',
      { generatorThreads: 1 },
      [{ generator: gen() }, { generator: gen(), arrivals: 'uniform' as const }],
      'load generator: 1 thread of 8 cores, uniform arrivals in open phases',
    ],
    [
      'closed phases only, no arrivals asked',
      { generatorThreads: 2 },
      [{ generator: gen(2) }],
      'load generator: 2 threads of 8 cores',
    ],
    ['nothing known', {}, [], undefined],
  ])('%s', (_what, settings, phases, expected) => {
    expect(describeGenerator({ environment, settings: { ...plan, ...settings }, phases })).toBe(expected);
  });

  it('sits right after the machine in the method line', () => {
    const line = describeMethod({
      environment,
      settings: { ...plan, generatorThreads: 4, arrivals: 'uniform' },
      runs: [],
      ladder: true,
    });
    expect(line).toMatch(
      /^AMD EPYC, 8 cores shared by .*; Node v20\.20\.2, Linux\. load generator: 4 threads of 8 cores, /,
    );
  });
});
