// The generator options shared by `run` and the ladder: the default thread rule, validation (exit 2, one line),
// and the effective values in run.json's config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { parseOptions } from '../../../harness/run/args.ts';
import { createRunConfig, describeConfig, RUN_OPTIONS } from '../../../harness/run/config.ts';
import { defaultGeneratorThreads } from '../../../harness/run/generator-options.ts';
import { createLevelSettings, LADDER_OPTIONS } from '../../../harness/run/ladder-config.ts';
import { memoryIO } from '../helpers.ts';

const T = ['--target', 'http://127.0.0.1:9'];
const runConfig = (...argv: string[]) => createRunConfig(parseOptions([...T, '--rate', '5', ...argv], RUN_OPTIONS));
const levelSettings = (...argv: string[]) => createLevelSettings(parseOptions(argv, LADDER_OPTIONS), {});

describe('defaultGeneratorThreads', () => {
  it.each([
    [true, 1, 1],
    [true, 2, 1],
    [true, 3, 1],
    [true, 8, 4],
    [false, 1, 1],
    [false, 2, 1],
    [false, 8, 7],
  ])('SUT on this machine %s, %i cores → %i threads', (sutHere, cores, threads) => {
    expect(defaultGeneratorThreads(sutHere, cores)).toBe(threads);
  });
});

describe('generator options', () => {
  it('run: defaults (uniform, 1% sample, no tally, all cores but one) and given values, as run.json config shows them', () => {
    const defaults = describeConfig(runConfig());
    expect(defaults).toMatchObject({
      generatorThreads: defaultGeneratorThreads(false),
      arrivals: 'uniform',
      checkSample: 0.01,
    });
    expect(defaults).not.toHaveProperty('tallyHeader');
    const given = runConfig(
      '--generator-threads',
      '3',
      '--arrivals',
      'poisson',
      '--check-sample',
      '0',
      '--tally-header',
      'X-Node-Id',
    );
    expect(describeConfig(given)).toMatchObject({
      generatorThreads: 3,
      arrivals: 'poisson',
      checkSample: 0,
      tallyHeader: 'x-node-id',
    });
  });

  it('levels: half the cores when loadlab starts the SUT, all but one with --target', () => {
    expect(levelSettings()).toMatchObject({ generatorThreads: defaultGeneratorThreads(true), arrivals: 'uniform' });
    expect(levelSettings(...T).generatorThreads).toBe(defaultGeneratorThreads(false));
    expect(levelSettings('--arrivals', 'poisson', '--check-sample', '1')).toMatchObject({
      arrivals: 'poisson',
      checkSample: 1,
    });
  });

  it.each([
    [['run', ...T, '--rate', '10', '--arrivals', 'bursty'], '--arrivals: expected uniform or poisson, got "bursty"'],
    [['run', ...T, '--rate', '10', '--check-sample', '1.5'], '--check-sample: expected a fraction from 0 to 1'],
    [['run', ...T, '--rate', '10', '--check-sample', '-0.1'], '--check-sample: expected a fraction from 0 to 1'],
    [['run', ...T, '--rate', '10', '--check-sample', 'some'], '--check-sample: expected a fraction from 0 to 1'],
    [['run', ...T, '--rate', '10', '--generator-threads', '0'], '--generator-threads: expected a positive whole'],
    [['run', ...T, '--rate', '10', '--tally-header', 'x node'], '--tally-header: "x node" is not a header name'],
    [['level0', '--arrivals', 'poison'], '--arrivals: expected uniform or poisson, got "poison"'],
    [['level0', '--check-sample', '2'], '--check-sample: expected a fraction from 0 to 1'],
  ])('%j → exit 2 with one line naming the option', async (argv, message) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    expect(io.err().split('\n')[0]).toContain(message);
  });

  it('a scenario stage with arrivals on a closed stage is refused (exit 2)', async () => {
    const io = memoryIO();
    const scenario = JSON.stringify({
      journeys: [{ name: 'j', steps: [{ path: '/' }] }],
      stages: [{ name: 'capacity', duration: '1s', connections: 2, arrivals: 'poisson' }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'loadlab-test-'));
    const file = join(dir, 'scenario.json');
    writeFileSync(file, scenario);
    try {
      expect(await main(['run', ...T, '--scenario', file, '--dry-run'], io)).toBe(2);
      expect(io.err().split('\n')[0]).toContain('stage "capacity": arrivals needs an open-model stage');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--dry-run shows each open phase with its arrivals, a stage overriding --arrivals', async () => {
    const io = memoryIO();
    expect(
      await main(['run', ...T, '--rate', '10', '--duration', '2s', '--arrivals', 'poisson', '--dry-run'], io),
    ).toBe(0);
    expect(io.out()).toBe('sustained: 10 req/s (open, poisson) for 2s\n');
  });
});
