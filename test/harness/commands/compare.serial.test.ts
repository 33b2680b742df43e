// ab, compare, baseline and --baseline end to end against servers whose timing is known: one answers after 2 ms,
// one after 8 ms, so B's p50 is about four times A's and every other figure is the same.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { validateCompareJson, validateRunJson } from '../../../harness/report/validate.ts';
import type { CompareJson } from '../../../harness/report/compare-model.ts';
import { commandFixture, memoryIO } from '../helpers.ts';

const fixture = commandFixture();

const after = (ms: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
  setTimeout(() => res.end('ok'), ms);
};

const LOAD = ['--rate', '100', '--duration', '1s', '--warmup', '300ms', '--trials', '3'];
/**
 * For the comparisons of a server with itself: tolerances wide enough that chance never calls it worse (each trial's
 * p99 rests on 100 requests, on cores other tests may share); the 8 ms server's p50 (+200%) is still beyond them.
 */
const WIDE = ['--tolerance', 'p50=100%', '--tolerance', 'p95=200%', '--tolerance', 'p99=400%'];

function verdictOf(c: CompareJson, metric: string): string | undefined {
  return c.verdicts.find((v) => v.metric === metric)?.verdict;
}

describe('loadlab ab run', () => {
  it('B slower by 6 ms: p50 worse, exit 1; trials interleaved; both runs and compare.json written and valid', async () => {
    const fast = await fixture.serve(after(2));
    const slow = await fixture.serve(after(8));
    const io = memoryIO();
    const code = await main(
      ['ab', 'run', '--a-target', fast.url, '--b-target', slow.url, ...LOAD, '--out', fixture.dir, '--json'],
      io,
    );
    expect(code).toBe(1);
    const printed = JSON.parse(io.out()) as CompareJson;
    expect(validateCompareJson(printed)).toEqual([]);
    expect(printed.passed).toBe(false);
    expect(verdictOf(printed, 'run p50')).toBe('worse');
    expect(printed.verdicts.find((v) => v.metric === 'run p50')!.changePct).toBeGreaterThan(150);
    expect(printed.trials).toEqual({ a: 3, b: 3 });
    // The steps, in the balanced order; each side's trials ran on their own (every request of a trial counted).
    const steps = io.err().match(/^ab: [AB] .+$/gm);
    expect(steps).toEqual([
      'ab: A warm-up',
      'ab: B warm-up',
      'ab: A trial 1',
      'ab: B trial 1',
      'ab: B trial 2',
      'ab: A trial 2',
      'ab: A trial 3',
      'ab: B trial 3',
    ]);
    const [root] = readdirSync(fixture.dir);
    expect(root).toMatch(/-ab-[0-9a-f]{4}$/);
    expect(JSON.parse(readFileSync(join(fixture.dir, root!, 'compare.json'), 'utf8'))).toEqual(printed);
    expect(readFileSync(join(fixture.dir, root!, 'compare.md'), 'utf8')).toContain('🔴 worse');
    for (const side of ['a', 'b']) {
      const [runDir] = readdirSync(join(fixture.dir, root!, side));
      const run = JSON.parse(readFileSync(join(fixture.dir, root!, side, runDir!, 'run.json'), 'utf8'));
      expect(validateRunJson(run)).toEqual([]);
      expect(run.trials.map((t: { trial: number }) => t.trial)).toEqual([1, 2, 3]);
      expect(run.phases.map((p: { name: string }) => p.name)).toEqual([
        'warmup',
        'sustained (trial 1/3)',
        'sustained (trial 2/3)',
        'sustained (trial 3/3)',
      ]);
      expect(run.calibration.httpRps).toBeGreaterThan(0);
    }
    // One verification request + 30 warm-up + 3 × 100 per side.
    expect(fast.received()).toBe(331);
    expect(slow.received()).toBe(331);
  }, 60_000);

  it('A and B the same server: nothing worse, exit 0', async () => {
    const server = await fixture.serve(after(2));
    const io = memoryIO();
    const code = await main(['ab', 'run', '--target', server.url, ...LOAD, ...WIDE, '--out', fixture.dir], io);
    expect(code).toBe(0);
    expect(io.out()).toContain('PASSED: no judged KPI is worse');
  }, 60_000);
});

describe('baselines: run --save-baseline, --baseline, loadlab compare', () => {
  it('the same build is not worse than its baseline; a slower one is, and loadlab compare agrees', async () => {
    const fast = await fixture.serve(after(2));
    const slow = await fixture.serve(after(8));
    const base = ['run', ...LOAD, ...WIDE, '--out', fixture.dir];
    const save = memoryIO();
    expect(await main([...base, '--target', fast.url, '--save-baseline', 'demo'], save)).toBe(0);
    expect(save.err()).toContain(`baseline saved: ${join(fixture.dir, 'baselines', 'demo')}`);
    const meta = JSON.parse(readFileSync(join(fixture.dir, 'baselines', 'demo', 'baseline.json'), 'utf8'));
    expect(meta).toMatchObject({ name: 'demo', kind: 'run', trials: 3 });
    expect(meta.calibration.machine.cores).toBeGreaterThan(0);

    const same = memoryIO();
    expect(await main([...base, '--target', fast.url, '--baseline', 'demo'], same)).toBe(0);
    expect(same.err()).toContain('PASSED: no judged KPI is worse');

    const worse = memoryIO();
    expect(await main([...base, '--target', slow.url, '--baseline', 'demo'], worse)).toBe(1);
    const compareLine = /^compare: (.+compare\.json)$/m.exec(worse.err())![1]!;
    const written = JSON.parse(readFileSync(compareLine, 'utf8')) as CompareJson;
    expect(validateCompareJson(written)).toEqual([]);
    expect(verdictOf(written, 'run p50')).toBe('worse');

    // loadlab compare: the baseline by name against that slower run's folder.
    const slowDir = compareLine.replace(/\/compare\.json$/, '');
    const cmp = memoryIO();
    expect(await main(['compare', 'demo', slowDir, '--out', fixture.dir, '--json'], cmp)).toBe(1);
    expect(verdictOf(JSON.parse(cmp.out()) as CompareJson, 'run p50')).toBe('worse');
    // …and with a tolerance wider than the change, it is not worse.
    const wide = memoryIO();
    const wideArgs = ['compare', 'demo', slowDir, '--out', fixture.dir, '--tolerance', 'p50=1000%'];
    wideArgs.push('--tolerance', 'p95=1000%', '--tolerance', 'p99=1000%');
    expect(await main(wideArgs, wide)).toBe(0);
  }, 90_000);
});

describe('--save-baseline of a failed run', () => {
  it("saves nothing and says so; the exit code stays the run's", async () => {
    const server = await fixture.serve(after(2));
    const io = memoryIO();
    const argv = ['run', '--target', server.url, ...LOAD, '--threshold', 'p50<0.001ms', '--save-baseline', 'nope'];
    expect(await main([...argv, '--out', fixture.dir], io)).toBe(1);
    expect(io.err()).toContain('baseline not saved: the run failed its checks');
    expect(existsSync(join(fixture.dir, 'baselines', 'nope'))).toBe(false);
  }, 60_000);
});

describe('usage errors exit 2 with one line, before any load', () => {
  const cases: [string[], RegExp][] = [
    [['compare', 'only-one'], /expected two runs/],
    [['compare', 'nope-a', 'nope-b'], /"nope-a" is neither a run folder with run.json nor a baseline/],
    [['baseline', 'save', 'somewhere'], /--name: required/],
    [['baseline', 'list', 'x'], /unknown baseline action "list"/],
    [['ab', 'level1', '--trials', '3'], /"level1": expected level0, level2, level3 or run/],
    [['ab', 'run', '--target', 'http://127.0.0.1:9', '--save-baseline', 'x'], /--save-baseline: not for ab/],
    [['noise', 'level0', '--trials', '2'], /noise needs at least 3 trials/],
    [['run', '--target', 'http://127.0.0.1:9', '--baseline', 'missing'], /"missing" is neither/],
    [['run', '--target', 'http://127.0.0.1:9', '--tolerance', 'p99'], /--tolerance: expected KPI=PCT/],
    [['run', '--target', 'http://127.0.0.1:9', '--save-baseline', '../x'], /--save-baseline: expected letters/],
    [['cache', '--trials', '3'], /--trials: not for cache/],
  ];
  it.each(cases)('loadlab %j', async (argv, message) => {
    const io = memoryIO();
    expect(await main([...argv, '--out', fixture.dir], io)).toBe(2);
    expect(io.err().split('\n')[0]).toMatch(message);
  });
});
