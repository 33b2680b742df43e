// Judging targets on saved figures: checks, the run's KPI rows, and the same verdict whichever way a target is written.
import { describe, expect, it } from 'vitest';
import { judgeAnswers, judgeRunKpis, judgeThresholds } from '../../../harness/run/judge.ts';
import type { AnswerChecks, PhaseReport } from '../../../harness/report/model.ts';
import { parseKpiTargets, parseTarget } from '../../../harness/run/targets.ts';
import { buildKpiRows, type KpiColumn } from '../../../harness/report/kpi-table.ts';
import type { AggregateView, Figures } from '../../../harness/run/aggregate.ts';

const figures = (p95: number, errorRate: number, throughputRps: number, availability?: number): Figures => ({
  latencyMs: { p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 2, p999: p95 * 3, max: p95 * 4, mean: p95 / 2 },
  errorRate,
  throughputRps,
  requests: 1000,
  ...(availability !== undefined ? { availability } : {}),
});
const view: AggregateView = {
  overall: figures(150, 0.002, 1200, 0.998),
  endpoints: new Map([['GET /api/users/:id', figures(90, 0, 800)]]),
};
const judge = (text: string, on = view) => judgeThresholds([parseTarget(text)], on)[0]!;

describe('judgeThresholds', () => {
  it.each([
    ['p95<200', true],
    ['p95<150', false],
    ['p95<=150', true],
    ['p99<=300', true],
    ['p99<=0.3s', true],
    ['p90<135', false],
    ['p999<=450', true],
    ['max<600', false],
    ['mean<=75', true],
    ['error_rate<0.001', false],
    ['error_rate<1%', true],
    ['availability>99.9%', false],
    ['availability>=0.998', true],
    ['rps>1000', true],
    ['throughput>1000', true],
    ['rps>1200', false],
    ['GET /api/users/:id:p95<100', true],
    ['GET /api/users/:id:rps>=900', false],
    ['GET /api/users/:id:error_rate<=0%', true],
  ])('%s → %s', (text, passed) => {
    const check = judge(text);
    expect(check.passed).toBe(passed);
    expect(check.name).toBe(text);
  });

  it.each([
    ['error_rate<0.001', 0.001, 'overall error_rate = 0.200% (need < 0.100%)'],
    ['availability>99.9%', 0.999, 'overall availability = 99.8% (need > 99.9%)'],
    ['rps>1000', 1000, 'overall throughput = 1200 req/s (need > 1000 req/s)'],
    ['p99<=0.3s', 300, 'overall p99 = 300 ms (need <= 300 ms)'],
  ])('%s: target %s in the canonical unit, detail "%s"', (text, target, detail) => {
    expect(judge(text)).toMatchObject({ target, detail });
  });

  it('fails a threshold on an endpoint that saw no requests, naming the known ones', () => {
    const check = judge('GET /nope:p95<100');
    expect(check).toMatchObject({ passed: false, value: null });
    expect(check.detail).toContain('GET /api/users/:id');
  });

  it('fails a threshold when nothing was answered', () => {
    const idle = { overall: { ...figures(0, 0, 0), requests: 0 }, endpoints: new Map() };
    expect(judge('p95<100', idle)).toMatchObject({
      passed: false,
      value: null,
      detail: 'no requests were answered in the judged phases',
    });
  });
});

describe('the same target written as a fraction or a percent gives the same verdict', () => {
  // Saved figures at and around the boundary: 1 failure in 100 is exactly 1%; 999 served of 1000 is exactly 99.9%.
  const errorRates = [0, 0.0099, 9 / 1000, 1 / 100, 0.0101, 2 / 100, 1];
  const availabilities = [1, 0.9991, 999 / 1000, 0.9989, 0.5];
  const pairs = [
    ['error_rate<1%', 'error_rate<0.01'],
    ['error_rate<=1%', 'error_rate<=0.01'],
    ['error_rate>1%', 'error_rate>0.01'],
    ['error_rate<0.1%', 'error_rate<0.001'],
    ['availability>99.9%', 'availability>0.999'],
    ['availability>=99.9%', 'availability>=0.999'],
    ['availability<99.9%', 'availability<0.999'],
  ] as const;

  it.each(pairs)('--threshold %s and %s', (percentForm, fractionForm) => {
    const values = percentForm.startsWith('error') ? errorRates : availabilities;
    for (const value of values) {
      const overall = percentForm.startsWith('error')
        ? { ...figures(100, value, 1000), errorRate: value }
        : figures(100, 0, 1000, value);
      const on = { overall, endpoints: new Map() };
      expect(judge(percentForm, on).passed, `${value}`).toBe(judge(fractionForm, on).passed);
    }
  });

  it('at the boundary: < fails and <= passes on exactly 1%, both ways', () => {
    const on = { overall: figures(100, 1 / 100, 1000), endpoints: new Map() };
    expect([judge('error_rate<1%', on).passed, judge('error_rate<0.01', on).passed]).toEqual([false, false]);
    expect([judge('error_rate<=1%', on).passed, judge('error_rate<=0.01', on).passed]).toEqual([true, true]);
  });

  // The ladder's core figures are percents (run.json shows them so); the ⚠️ band is 20% of the target: 1%–1.2%.
  const kpiStatus = (kpi: string, errorRatePct: number, availabilityPct: number) => {
    const core = {
      p50: 1,
      p95: 2,
      p99: 3,
      throughput: 20_000,
      error_rate: errorRatePct,
      availability: availabilityPct,
    };
    const columns: KpiColumn[] = [{ key: 'level0', title: 'Level 0', core }];
    const rows = buildKpiRows(columns, parseKpiTargets([kpi]));
    return Object.fromEntries(rows.map((r) => [r.metric, [r.target, r.cells.level0!.status]]));
  };

  it.each([
    [0.5, 'pass'],
    [0.99, 'pass'],
    [1, 'warn'],
    [1.2, 'warn'],
    [1.2001, 'fail'],
    [5, 'fail'],
  ])('--kpi error_rate<1%% and error_rate<0.01 on an error rate of %s%% → %s', (errorRatePct, status) => {
    const percent = kpiStatus('error_rate<1%', errorRatePct, 100);
    const fraction = kpiStatus('error_rate<0.01', errorRatePct, 100);
    expect(percent['Error rate']).toEqual(['< 1%', status]);
    expect(fraction['Error rate']).toEqual(percent['Error rate']);
  });

  it.each([
    [99.95, 'pass'],
    [99.9, 'warn'],
    [99.88, 'warn'],
    [99.8799, 'fail'],
  ])('--kpi availability>99.9%% and availability>0.999 on %s%% → %s', (availabilityPct, status) => {
    const percent = kpiStatus('availability>99.9%', 0, availabilityPct);
    const fraction = kpiStatus('availability>0.999', 0, availabilityPct);
    expect(percent.Availability).toEqual(['> 99.9%', status]);
    expect(fraction.Availability).toEqual(percent.Availability);
  });
});

describe("loadlab run's KPI rows", () => {
  it('one row per KPI-table metric with an overall target, values in display units, the verdict of its check', () => {
    const targets = [
      'p95<200',
      'p50<50',
      'rps>1000',
      'error_rate<0.1%',
      'availability>99.9%',
      'p90<10',
      'GET /x:p99<1',
    ];
    const parsed = targets.map((t) => parseTarget(t));
    const rows = judgeRunKpis(view, parsed, judgeThresholds(parsed, view));
    expect(rows).toEqual([
      { metric: 'p50 latency', target: '< 50 ms', cells: { run: { value: 75, unit: 'ms', status: 'fail' } } },
      { metric: 'p95 latency', target: '< 200 ms', cells: { run: { value: 150, unit: 'ms', status: 'pass' } } },
      { metric: 'Throughput', target: '> 1K req/s', cells: { run: { value: 1200, unit: 'req/s', status: 'pass' } } },
      { metric: 'Error rate', target: '< 0.1%', cells: { run: { value: 0.2, unit: '%', status: 'fail' } } },
      { metric: 'Availability', target: '> 99.9%', cells: { run: { value: 99.8, unit: '%', status: 'fail' } } },
    ]);
  });

  it('gives the same rows for error_rate<1% and error_rate<0.01 (but for the name of the check)', () => {
    const rowsFor = (text: string) => {
      const t = parseTarget(text);
      return judgeRunKpis(view, [t], judgeThresholds([t], view));
    };
    expect(rowsFor('error_rate<1%')).toEqual(rowsFor('error_rate<0.01'));
    expect(rowsFor('error_rate<1%')[0]!.cells.run).toEqual({ value: 0.2, unit: '%', status: 'pass' });
  });
});

describe('judgeAnswers', () => {
  const phase = (name: string, answerChecks?: AnswerChecks) => ({ name, answerChecks }) as PhaseReport;
  const checks = (checked: number, wrong: number, firstProblem?: string): AnswerChecks => ({
    sampleFraction: 0.01,
    checked,
    wrong,
    ...(firstProblem ? { firstProblem } : {}),
  });

  it.each<[string, PhaseReport[]]>([
    ['no phase checked answers', [phase('warmup'), phase('sustained')]],
    ['sampling was off', [phase('sustained', checks(0, 0))]],
    ['every sampled answer was right', [phase('warmup', checks(3, 0)), phase('sustained', checks(40, 0))]],
  ])('adds no check when %s', (_what, phases) => {
    expect(judgeAnswers(phases)).toEqual([]);
  });

  it('fails the run on one wrong answer in any phase, warm-up included, naming the count and the first problem', () => {
    const problem = 'GET /api/users/42: asked for id 42, got id 41';
    expect(judgeAnswers([phase('warmup', checks(5, 1, problem)), phase('sustained', checks(40, 0))])).toEqual([
      {
        name: 'right answers',
        passed: false,
        value: 1,
        target: 0,
        detail: `1 wrong of 45 sampled answers (1 in warmup); first (warmup): ${problem}`,
      },
    ]);
  });

  it('sums wrong answers over phases and names the first phase that described one', () => {
    const [check] = judgeAnswers([
      phase('closed', checks(10, 0)),
      phase('open', checks(20, 2, 'GET /x: JSON body lacks "id"')),
      phase('spike', checks(30, 3, 'GET /y: expected a JSON body, got "oops"')),
    ]);
    expect(check).toMatchObject({ passed: false, value: 5 });
    expect(check!.detail).toBe(
      '5 wrong of 60 sampled answers (2 in open, 3 in spike); first (open): GET /x: JSON body lacks "id"',
    );
  });
});
