// The one target grammar: every metric, alias, unit and error; and where targets are written (flags, scenarios).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_KPI_EXPRESSIONS,
  DEFAULT_KPI_TARGETS,
  METRIC_TABLE,
  parseKpiTargets,
  parseTarget,
  shiftDecimal,
} from '../../../harness/run/targets.ts';
import { createRunConfig, RUN_OPTIONS } from '../../../harness/run/config.ts';
import { LADDER_OPTIONS, createLevelSettings } from '../../../harness/run/ladder-config.ts';
import { parseOptions } from '../../../harness/run/args.ts';
import { EXIT, ThresholdError } from '../../../harness/errors.ts';

describe('parseTarget: values are stored in one canonical unit per metric', () => {
  it.each([
    ['p95<200', { metric: 'p95', op: '<', value: 200 }],
    ['p99<=500', { metric: 'p99', op: '<=', value: 500 }],
    ['p99 <= 0.5s', { metric: 'p99', op: '<=', value: 500 }],
    ['p50<20ms', { metric: 'p50', op: '<', value: 20 }],
    ['p90<1.5s', { metric: 'p90', op: '<', value: 1500 }],
    ['p999<2s', { metric: 'p999', op: '<', value: 2000 }],
    ['max<=3000', { metric: 'max', op: '<=', value: 3000 }],
    ['mean<12.5ms', { metric: 'mean', op: '<', value: 12.5 }],
    ['error_rate<0.001', { metric: 'error_rate', op: '<', value: 0.001 }],
    ['error_rate<0.1%', { metric: 'error_rate', op: '<', value: 0.001 }],
    ['error_rate<=1', { metric: 'error_rate', op: '<=', value: 1 }],
    ['error_rate<100%', { metric: 'error_rate', op: '<', value: 1 }],
    ['availability>0.999', { metric: 'availability', op: '>', value: 0.999 }],
    ['availability>99.9%', { metric: 'availability', op: '>', value: 0.999 }],
    ['availability>=99.99%', { metric: 'availability', op: '>=', value: 0.9999 }],
    ['throughput>1000', { metric: 'throughput', op: '>', value: 1000 }],
    ['throughput>1000req/s', { metric: 'throughput', op: '>', value: 1000 }],
    ['rps>1000', { metric: 'throughput', op: '>', value: 1000 }],
    ['rps>=10', { metric: 'throughput', op: '>=', value: 10 }],
    ['GET /api/users/:id:p95<100', { endpoint: 'GET /api/users/:id', metric: 'p95', op: '<', value: 100 }],
    ['GET /api/users/:id:p99<=0.5s', { endpoint: 'GET /api/users/:id', metric: 'p99', op: '<=', value: 500 }],
    [
      'POST /api/auth/login:error_rate<0.01',
      { endpoint: 'POST /api/auth/login', metric: 'error_rate', op: '<', value: 0.01 },
    ],
    [
      'POST /api/auth/login:error_rate<1%',
      { endpoint: 'POST /api/auth/login', metric: 'error_rate', op: '<', value: 0.01 },
    ],
    ['GET /x:rps>5', { endpoint: 'GET /x', metric: 'throughput', op: '>', value: 5 }],
  ])('%s', (text, expected) => {
    expect(parseTarget(text)).toEqual({ source: text, ...expected });
  });

  it('knows every metric in its table, and each alias', () => {
    const names = METRIC_TABLE.flatMap((m) => [m.name, ...m.aliases]);
    expect(names).toEqual([
      'p50',
      'p90',
      'p95',
      'p99',
      'p999',
      'max',
      'mean',
      'throughput',
      'rps',
      'error_rate',
      'availability',
    ]);
    for (const name of names) expect(() => parseTarget(`${name}>0`)).not.toThrow();
  });

  it('a percent and the fraction it names are the same double, for every percent with two decimals', () => {
    for (let hundredths = 0; hundredths <= 10_000; hundredths++) {
      const percent = (hundredths / 100).toFixed(2);
      const fraction = (hundredths / 10_000).toFixed(4);
      expect(parseTarget(`error_rate<${percent}%`).value, percent).toBe(Number(fraction));
      expect(parseTarget(`availability>${percent}%`).value, percent).toBe(
        parseTarget(`availability>${fraction}`).value,
      );
    }
  });

  it.each([
    [99.9, -2, 0.999],
    [0.1, -2, 0.001],
    [0.5, 3, 500],
    [1e-7, 2, 0.00001],
    [0.001, 2, 0.1],
  ])('shiftDecimal(%s, %s) = %s', (value, places, expected) => {
    expect(shiftDecimal(value, places)).toBe(expected);
  });
});

const FORM = 'expected [ENDPOINT:]METRIC OP VALUE[UNIT] with OP one of < <= > >=, e.g. p95<200ms, error_rate<0.1%';
const METRICS = 'p50, p90, p95, p99, p999, max, mean, throughput (or rps), error_rate, availability';

describe('parseTarget errors: one line naming the expression and the accepted form, exit 2', () => {
  it.each([
    ['p95', `--threshold "p95": ${FORM}, "GET /api/users/:id:p99<=500ms"`],
    ['p95=100', `--threshold "p95=100": ${FORM}, "GET /api/users/:id:p99<=500ms"`],
    ['p95<<100', `--threshold "p95<<100": "<100" is not a number (e.g. 200, 0.5s, 0.1%)`],
    ['p97<100', `--threshold "p97<100": unknown metric "p97" (use one of ${METRICS})`],
    ['latency<3', `--threshold "latency<3": unknown metric "latency" (use one of ${METRICS})`],
    ['p95<abc', '--threshold "p95<abc": "abc" is not a number (e.g. 200, 0.5s, 0.1%)'],
    ['p95<-5', '--threshold "p95<-5": "-5" is not a number (e.g. 200, 0.5s, 0.1%)'],
    ['p95<5us', '--threshold "p95<5us": "5us" is not a number (e.g. 200, 0.5s, 0.1%)'],
    [
      'rps>10ms',
      '--threshold "rps>10ms": ms only applies to latency metrics; ' +
        'throughput takes req/s (a bare number), e.g. throughput>1000',
    ],
    [
      'error_rate<1s',
      '--threshold "error_rate<1s": s only applies to latency metrics; error_rate takes a fraction or a percent, ' +
        'e.g. error_rate<0.001 or error_rate<0.1%',
    ],
    [
      'p95<5%',
      '--threshold "p95<5%": % only applies to error_rate and availability; p95 takes ms (a bare number) or s, ' +
        'e.g. p95<200ms or p95<0.2s',
    ],
    [
      'p95<5req/s',
      '--threshold "p95<5req/s": req/s only applies to throughput; ' +
        'p95 takes ms (a bare number) or s, e.g. p95<200ms or p95<0.2s',
    ],
    ['availability>99.9', '--threshold "availability>99.9": 99.9 is not a fraction; write 99.9% or 0.999'],
    ['availability>=99.99', '--threshold "availability>=99.99": 99.99 is not a fraction; write 99.99% or 0.9999'],
    ['error_rate<5', '--threshold "error_rate<5": 5 is not a fraction; write 5% or 0.05'],
    ['error_rate<120%', '--threshold "error_rate<120%": 120% is more than 100%'],
    [
      'GET /x:availability>99%',
      '--threshold "GET /x:availability>99%": availability is measured overall only; drop "GET /x:"',
    ],
  ])('%s', (text, message) => {
    let error: unknown;
    try {
      parseTarget(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ThresholdError);
    expect((error as ThresholdError).message).toBe(message);
    expect((error as ThresholdError).exitCode).toBe(EXIT.usage);
    expect((error as ThresholdError).code).toBe('LOADLAB_THRESHOLD_INVALID');
  });

  it('names where the expression was written', () => {
    expect(() => parseTarget('p97<1', 'users.json "thresholds"')).toThrow(
      /^users.json "thresholds" "p97<1": unknown metric/,
    );
  });
});

describe('KPI targets: the same grammar, shown in the table in display units', () => {
  it('the defaults are the spec targets written in the grammar', () => {
    expect(DEFAULT_KPI_EXPRESSIONS).toEqual([
      'p50<50ms',
      'p95<200ms',
      'p99<500ms',
      'throughput>10000',
      'error_rate<0.1%',
      'availability>99.9%',
    ]);
    expect(DEFAULT_KPI_TARGETS).toEqual({
      p50: { op: '<', value: 50, unit: 'ms' },
      p95: { op: '<', value: 200, unit: 'ms' },
      p99: { op: '<', value: 500, unit: 'ms' },
      throughput: { op: '>', value: 10_000, unit: 'req/s' },
      error_rate: { op: '<', value: 0.1, unit: '%' },
      availability: { op: '>', value: 99.9, unit: '%', ideal: 100 },
    });
    expect(Object.isFrozen(DEFAULT_KPI_TARGETS)).toBe(true);
  });

  it.each([
    [['error_rate<0.1%'], 'error_rate', { op: '<', value: 0.1, unit: '%' }],
    [['error_rate<0.001'], 'error_rate', { op: '<', value: 0.1, unit: '%' }],
    [['availability>=0.9999'], 'availability', { op: '>=', value: 99.99, unit: '%', ideal: 100 }],
    [['rps>5000'], 'throughput', { op: '>', value: 5000, unit: 'req/s' }],
    [['p99<0.3s'], 'p99', { op: '<', value: 300, unit: 'ms' }],
  ] as const)('--kpi %j sets %s', (expressions, metric, target) => {
    const targets = parseKpiTargets(expressions);
    expect(targets[metric]).toEqual(target);
    expect(targets.p50).toEqual(DEFAULT_KPI_TARGETS.p50);
  });

  it.each([
    [
      'GET /x:p99<300',
      '--kpi "GET /x:p99<300": the KPI table has overall rows only; ' +
        'give per-endpoint targets to loadlab run --threshold',
    ],
    [
      'p90<100',
      '--kpi "p90<100": the KPI table has no p90 row (use one of p50, p95, p99, throughput, error_rate, availability)',
    ],
    ['availability>99.99', '--kpi "availability>99.99": 99.99 is not a fraction; write 99.99% or 0.9999'],
    ['p97<1', `--kpi "p97<1": unknown metric "p97" (use one of ${METRICS})`],
  ])('--kpi %s is rejected', (text, message) => {
    expect(() => parseKpiTargets([text])).toThrow(ThresholdError);
    expect(() => parseKpiTargets([text])).toThrow(message);
  });
});

describe('where targets are written', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const runConfig = (args: string[]) =>
    createRunConfig(parseOptions(['--target', 'http://127.0.0.1:9', '--rate', '10', ...args], RUN_OPTIONS));
  const scenarioFile = (thresholds: string[]) => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-targets-'));
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify({ journeys: [{ name: 'j', steps: [{ path: '/' }] }], thresholds }));
    return file;
  };

  it('--threshold and a scenario\'s "thresholds" go through the one parser, in that order', () => {
    const file = scenarioFile(['error_rate<0.1%', 'rps>5']);
    const config = runConfig(['--threshold', 'p95<0.2s', '--scenario', file]);
    expect(config.thresholds.map((t) => [t.source, t.metric, t.value])).toEqual([
      ['p95<0.2s', 'p95', 200],
      ['error_rate<0.1%', 'error_rate', 0.001],
      ['rps>5', 'throughput', 5],
    ]);
  });

  it('a bad scenario threshold names the file', () => {
    const file = scenarioFile(['availability>99.9']);
    expect(() => runConfig(['--scenario', file])).toThrow(
      `${file} "thresholds" "availability>99.9": 99.9 is not a fraction`,
    );
  });

  it('--kpi on the level commands: both error_rate forms give the same targets', () => {
    const settings = (kpi: string) => createLevelSettings(parseOptions(['--kpi', kpi], LADDER_OPTIONS), {});
    expect(settings('error_rate<1%').targets).toEqual(settings('error_rate<0.01').targets);
    expect(settings('error_rate<1%').targets.error_rate).toEqual({ op: '<', value: 1, unit: '%' });
    expect(() => settings('availability>99.9')).toThrow(ThresholdError);
  });
});
