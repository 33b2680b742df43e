import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../../harness/run/thresholds.ts';
import { judgeThresholds } from '../../harness/run/judge.ts';
import type { AggregateView, Figures } from '../../harness/run/aggregate.ts';
import { ThresholdError } from '../../harness/errors.ts';

describe('parseThreshold', () => {
  it.each([
    ['p95<200', { metric: 'p95', op: '<', value: 200 }],
    ['p99<=500', { metric: 'p99', op: '<=', value: 500 }],
    ['p99 <= 0.5s', { metric: 'p99', op: '<=', value: 500 }],
    ['p50<20ms', { metric: 'p50', op: '<', value: 20 }],
    ['error_rate<0.001', { metric: 'error_rate', op: '<', value: 0.001 }],
    ['error_rate<0.1%', { metric: 'error_rate', op: '<', value: 0.001 }],
    ['rps>1000', { metric: 'rps', op: '>', value: 1000 }],
    ['rps>=10', { metric: 'rps', op: '>=', value: 10 }],
    ['GET /api/users/:id:p95<100', { endpoint: 'GET /api/users/:id', metric: 'p95', op: '<', value: 100 }],
    ['POST /api/auth/login:error_rate<0.01', { endpoint: 'POST /api/auth/login', metric: 'error_rate', op: '<', value: 0.01 }],
  ])('%s', (text, expected) => {
    expect(parseThreshold(text)).toEqual({ source: text, ...expected });
  });

  it.each([
    ['p95', 'expected [ENDPOINT:]METRIC OP VALUE'],
    ['p97<100', 'unknown metric "p97"'],
    ['p95<abc', '"abc" is not a number'],
    ['rps>10ms', 'ms only applies to latency metrics'],
    ['p95<5%', '% only applies to error_rate'],
    ['p95=100', 'expected [ENDPOINT:]METRIC OP VALUE'],
  ])('rejects %s', (text, message) => {
    expect(() => parseThreshold(text)).toThrow(ThresholdError);
    expect(() => parseThreshold(text)).toThrow(message);
  });
});

const figures = (p95: number, errorRate: number, throughputRps: number): Figures => ({
  latencyMs: { p50: p95 / 2, p90: p95 * 0.9, p95, p99: p95 * 2, p999: p95 * 3, max: p95 * 4, mean: p95 / 2 },
  errorRate,
  throughputRps,
  requests: 1000,
});
const view: AggregateView = { overall: figures(150, 0.002, 1200), endpoints: new Map([['GET /api/users/:id', figures(90, 0, 800)]]) };

describe('judgeThresholds', () => {
  it.each([
    ['p95<200', true],
    ['p95<150', false],
    ['p95<=150', true],
    ['p99<=300', true],
    ['error_rate<0.001', false],
    ['error_rate<1%', true],
    ['rps>1000', true],
    ['rps>1200', false],
    ['GET /api/users/:id:p95<100', true],
    ['GET /api/users/:id:rps>=900', false],
  ])('%s → %s', (text, passed) => {
    const [check] = judgeThresholds([parseThreshold(text)], view);
    expect(check?.passed).toBe(passed);
    expect(check?.name).toBe(text);
  });

  it('fails a threshold on an endpoint that saw no requests, naming the known ones', () => {
    const [check] = judgeThresholds([parseThreshold('GET /nope:p95<100')], view);
    expect(check).toMatchObject({ passed: false, value: null });
    expect(check?.detail).toContain('GET /api/users/:id');
  });
});
