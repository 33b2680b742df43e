// Helpers for the level tests: smoke durations, reading a written run, the pids a run said it started.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Shorter than --quick: a smoke test checks the wiring, not the figures. */
export const SMOKE = ['--quick', '--warmup', '1s', '--duration', '2s', '--connections', '8'];

export function readRun(dir: string): { run: any; kpi: string; series: string; sutLog: string } {
  const [id] = readdirSync(dir);
  const at = join(dir, id!);
  return {
    run: JSON.parse(readFileSync(join(at, 'run.json'), 'utf8')),
    kpi: readFileSync(join(at, 'kpi.md'), 'utf8'),
    series: readFileSync(join(at, 'series.csv'), 'utf8'),
    sutLog: existsSync(join(at, 'sut.log')) ? readFileSync(join(at, 'sut.log'), 'utf8') : '',
  };
}

export function startedPids(stderr: string): number[] {
  return [...stderr.matchAll(/\(pids ([\d, ]+)\)/g)].flatMap((m) => m[1]!.split(', ').map(Number));
}
