import { describe, expect, it } from 'vitest';
import {
  buildKpiRows,
  formatValue,
  judgeKpi,
  renderKpiTable,
  type KpiColumn,
} from '../../../harness/report/kpi-table.ts';
import { DEFAULT_KPI_TARGETS, parseKpiTargets } from '../../../harness/run/targets.ts';
import { ThresholdError } from '../../../harness/errors.ts';
import { LEVEL_COLUMNS } from '../../../harness/report/ladder-report.ts';

const core = (p50: number, throughput: number, errorRate = 0, availability = 100) => ({
  p50,
  p95: p50 * 4,
  p99: p50 * 8,
  throughput,
  error_rate: errorRate,
  availability,
});

const COLUMNS: KpiColumn[] = [
  { key: 'level0', title: 'Level 0', core: core(4.1, 6200) },
  {
    key: 'level1',
    title: 'Level 1',
    core: core(55, 11_000, 0.11, 99.85),
    extras: [
      { metric: 'Speed-up vs Level 0', target: { op: '>', value: 1, unit: '×' }, value: 1.77, unit: '×' },
      {
        metric: 'Scaling efficiency (speed-up ÷ workers)',
        target: { op: '>=', value: 50, unit: '%' },
        value: 44,
        unit: '%',
      },
    ],
  },
  {
    key: 'level2',
    title: 'Level 2',
    core: core(70, 9000, 0.5, 98),
    extras: [{ metric: 'Reload: failed requests', target: '= 0 (2 reloads)', value: 3, unit: '', status: 'fail' }],
  },
];

describe('judgeKpi: the ⚠️ band is 20% of the target', () => {
  it.each([
    [49, '<', 50, 'pass'],
    [50, '<', 50, 'warn'],
    [60, '<', 50, 'warn'],
    [60.1, '<', 50, 'fail'],
    [10_001, '>', 10_000, 'pass'],
    [8000, '>', 10_000, 'warn'],
    [7999, '>', 10_000, 'fail'],
    [1, '<=', 0, 'fail'],
  ] as const)('%s %s %s → %s', (value, op, target, status) => {
    expect(judgeKpi(value, { op, value: target, unit: 'ms' })).toBe(status);
  });

  it.each([
    [99.95, 'pass'],
    [99.9, 'warn'],
    [99.885, 'warn'],
    [99.88, 'warn'],
    [99.8799, 'fail'],
    [99.5, 'fail'],
  ] as const)('availability %s%% against > 99.9%% (band on the unavailability) → %s', (value, status) => {
    expect(judgeKpi(value, DEFAULT_KPI_TARGETS.availability)).toBe(status);
  });
});

describe('KPI table', () => {
  it('builds rows with the schema shape: core rows, then extras, cells only where measured', () => {
    const rows = buildKpiRows(COLUMNS, DEFAULT_KPI_TARGETS);
    expect(rows.map((r) => r.metric)).toEqual([
      'p50 latency',
      'p95 latency',
      'p99 latency',
      'Throughput',
      'Error rate',
      'Availability',
      'Speed-up vs Level 0',
      'Scaling efficiency (speed-up ÷ workers)',
      'Reload: failed requests',
    ]);
    expect(rows[0]!.cells).toEqual({
      level0: { value: 4.1, unit: 'ms', status: 'pass' },
      level1: { value: 55, unit: 'ms', status: 'warn' },
      level2: { value: 70, unit: 'ms', status: 'fail' },
    });
    expect(rows[6]!.cells).toEqual({ level1: { value: 1.77, unit: '×', status: 'pass' } });
  });

  it('renders values with marks, the ⚠️ rule, the method line and saturation warnings', () => {
    const rows = buildKpiRows(COLUMNS, DEFAULT_KPI_TARGETS);
    const text = renderKpiTable(rows, LEVEL_COLUMNS, {
      method: 'AMD EPYC, 2 cores; Node v20.20.2; 10s + 30s + 30s',
      warnings: ['Level 0, phase "level0 throughput": the load generator was saturated'],
      notes: ['a note'],
    });
    expect(text).toMatchInlineSnapshot(`
      "| Metric | Target | Level 0 | Level 1 | Level 2 | Level 3 | Level 4 |
      |---|---|---|---|---|---|---|
      | p50 latency | < 50 ms | ✅ 4.1 ms | ⚠️ 55 ms | ❌ 70 ms | — | — |
      | p95 latency | < 200 ms | ✅ 16.4 ms | ⚠️ 220 ms | ❌ 280 ms | — | — |
      | p99 latency | < 500 ms | ✅ 32.8 ms | ✅ 440 ms | ⚠️ 560 ms | — | — |
      | Throughput | > 10K req/s | ❌ 6.2K req/s | ✅ 11K req/s | ⚠️ 9K req/s | — | — |
      | Error rate | < 0.1% | ✅ 0% | ⚠️ 0.11% | ❌ 0.5% | — | — |
      | Availability | > 99.9% | ✅ 100% | ❌ 99.85% | ❌ 98% | — | — |
      | Speed-up vs Level 0 | > 1.00× | — | ✅ 1.77× | — | — | — |
      | Scaling efficiency (speed-up ÷ workers) | >= 50% | — | ⚠️ 44% | — | — | — |
      | Reload: failed requests | = 0 (2 reloads) | — | — | ❌ 3 | — | — |

      ⚠️ = misses the target by at most 20% of the target (p99 < 500 ms: 500–600 ms is ⚠️), for availability by at most 20% of the unavailability it allows (> 99.9%: 99.88–99.9% is ⚠️); ❌ = misses it by more.
      a note

      Method: AMD EPYC, 2 cores; Node v20.20.2; 10s + 30s + 30s
      ⚠️ Level 0, phase "level0 throughput": the load generator was saturated"
    `);
  });

  it.each([
    [4.1, 'ms', '4.1 ms'],
    [234.495, 'ms', '234 ms'],
    [645.2, 'req/s', '645 req/s'],
    [6234, 'req/s', '6.2K req/s'],
    [0.0123, '%', '0.01%'],
    [99.987, '%', '99.987%'],
    [null, 'ms', 'n/a'],
  ] as const)('formatValue(%s, %s) = %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('takes targets from --kpi expressions and names a bad one', () => {
    const targets = parseKpiTargets(['p99<300', 'availability>=99.99%']);
    expect(targets).toMatchObject({
      p99: { op: '<', value: 300, unit: 'ms' },
      availability: { op: '>=', value: 99.99, unit: '%', ideal: 100 },
      p50: DEFAULT_KPI_TARGETS.p50,
    });
    expect(() => parseKpiTargets(['latency<3'])).toThrow(ThresholdError);
    expect(() => parseKpiTargets(['latency<3'])).toThrow(/^--kpi "latency<3": unknown metric "latency"/);
  });
});

describe('info rows', () => {
  it('a row whose target is "info" shows its figure without a mark; a judged row keeps its mark', () => {
    const table = renderKpiTable(
      [
        { metric: 'wrk -t1', target: 'info', cells: { a: { value: 99_900, unit: 'req/s', status: 'pass' } } },
        { metric: 'ratio', target: '≥ 0.95', cells: { a: { value: 0.8, unit: '×', status: 'fail' } } },
      ],
      [{ key: 'a', title: 'nginx' }],
      { method: 'm' },
    );
    expect(table).toContain('| wrk -t1 | info | 99.9K req/s |');
    expect(table).toContain('| ratio | ≥ 0.95 | ❌ 0.80× |');
  });
});
