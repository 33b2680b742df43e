// The KPI table: targets, the one comparator and the written ⚠️ rule; figures → run.json kpi.rows → Markdown (pure).
// Targets are parsed by harness/run/targets.ts (the one grammar); this module only judges and shows them.
import type { KpiCell, KpiRow } from './model.ts';

export type KpiOp = '<' | '<=' | '>' | '>=';
export type KpiStatus = KpiCell['status'];

/** A target in the unit the table shows (ms, req/s, %, ×); `--kpi` targets come from the grammar's parser. */
export interface KpiTarget {
  op: KpiOp;
  value: number;
  unit: string;
  /** Judge the ⚠️ band on the distance to this ideal (availability: 100%), not on the value itself. */
  ideal?: number;
}

export type CoreMetric = 'p50' | 'p95' | 'p99' | 'throughput' | 'error_rate' | 'availability';
export type KpiTargets = Record<CoreMetric, KpiTarget>;

/** The core rows' labels, in table order. */
export const CORE_ROWS: readonly { metric: CoreMetric; label: string }[] = [
  { metric: 'p50', label: 'p50 latency' },
  { metric: 'p95', label: 'p95 latency' },
  { metric: 'p99', label: 'p99 latency' },
  { metric: 'throughput', label: 'Throughput' },
  { metric: 'error_rate', label: 'Error rate' },
  { metric: 'availability', label: 'Availability' },
];

/** A failing value still within this fraction of its target is ⚠️ rather than ❌. */
export const WARN_WITHIN = 0.2;
export const WARN_RULE =
  `⚠️ = misses the target by at most ${WARN_WITHIN * 100}% of the target (p99 < 500 ms: 500–600 ms is ⚠️), ` +
  `for availability by at most ${WARN_WITHIN * 100}% of the unavailability it allows (> 99.9%: 99.88–99.9% is ⚠️); ` +
  '❌ = misses it by more.';

/** A level-specific row: either judged against a numeric target, or carrying the verdict of a check. */
export interface ExtraKpi {
  metric: string;
  target: KpiTarget | string;
  /** null: not measured (shown as n/a). */
  value: number | null;
  unit: string;
  /** Set for rows that report a check (no ⚠️ band); otherwise derived from the target. */
  status?: KpiStatus;
}

export interface KpiColumn {
  key: string;
  title: string;
  core?: Record<CoreMetric, number>;
  extras?: ExtraKpi[];
}

/** The one comparator: `value op target`, for --threshold checks and KPI cells alike. */
export function compare(value: number, op: KpiOp, target: number): boolean {
  if (op === '<') return value < target;
  if (op === '<=') return value <= target;
  if (op === '>') return value > target;
  return value >= target;
}

/** pass, or the written ⚠️ rule: a miss within WARN_WITHIN of the target (of 100% − target for availability). */
export function judgeKpi(value: number, target: KpiTarget, warnWithin = WARN_WITHIN): KpiStatus {
  if (compare(value, target.op, target.value)) return 'pass';
  const slack = Math.abs(target.ideal !== undefined ? target.ideal - target.value : target.value) * warnWithin;
  if (slack === 0) return 'fail';
  // Rounded to 12 digits so the band's edge is the decimal the rule states (99.88, not 99.88000000000001).
  const below = target.op.startsWith('<');
  const edge = Number((below ? target.value + slack : target.value - slack).toPrecision(12));
  return (below ? value <= edge : value >= edge) ? 'warn' : 'fail';
}

/** Core rows first, then every extra row in order of first appearance; columns without a figure get no cell. */
export function buildKpiRows(columns: KpiColumn[], targets: Readonly<KpiTargets>): KpiRow[] {
  const rows: KpiRow[] = [];
  if (columns.some((c) => c.core)) {
    for (const { metric, label } of CORE_ROWS) {
      const target = targets[metric];
      const cells: Record<string, KpiCell> = {};
      for (const c of columns) {
        if (!c.core) continue;
        cells[c.key] = { value: c.core[metric], unit: target.unit, status: judgeKpi(c.core[metric], target) };
      }
      rows.push({ metric: label, target: formatTarget(target), cells });
    }
  }
  const extras = new Map<string, KpiRow>();
  for (const c of columns) {
    for (const e of c.extras ?? []) {
      const target = typeof e.target === 'string' ? e.target : formatTarget(e.target);
      const row = extras.get(e.metric) ?? { metric: e.metric, target, cells: {} };
      extras.set(e.metric, row);
      row.cells[c.key] = { value: e.value, unit: e.unit, status: e.status ?? statusOf(e) };
    }
  }
  return [...rows, ...extras.values()];
}

function statusOf(e: ExtraKpi): KpiStatus {
  if (typeof e.target === 'string' || typeof e.value !== 'number') return e.value === null ? 'fail' : 'pass';
  return judgeKpi(e.value, e.target);
}

export function formatTarget(t: KpiTarget): string {
  return `${t.op} ${formatValue(t.value, t.unit)}`;
}

/** `4.1 ms`, `6.2K req/s`, `0.05%`, `1.42×`, `3`. */
export function formatValue(value: number | string | null, unit: string): string {
  if (value === null) return 'n/a';
  if (typeof value === 'string') return unit ? `${value} ${unit}` : value;
  if (unit === '%') return `${trimNumber(value, value >= 99 ? 3 : 2)}%`;
  if (unit === '×') return `${value.toFixed(2)}×`;
  if (unit.endsWith('/s') && value >= 1000) return `${trimNumber(value / 1000, 1)}K ${unit}`;
  if (unit.endsWith('/s')) return `${Math.round(value)} ${unit}`;
  if (unit === 'ms') return `${value >= 100 ? Math.round(value) : trimNumber(value, value >= 10 ? 1 : 2)} ms`;
  return unit ? `${trimNumber(value, 2)} ${unit}` : trimNumber(value, 3);
}

function trimNumber(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}

const ICON: Record<KpiStatus, string> = { pass: '✅', warn: '⚠️', fail: '❌' };

export interface KpiTableNotes {
  method: string;
  /** One line per phase in which the load generator was saturated. */
  warnings?: string[];
  /** Other lines under the table (definitions, checks). */
  notes?: string[];
}

/** The Markdown table with the ⚠️ rule, the method line and the saturation warnings under it. */
export function renderKpiTable(
  rows: KpiRow[],
  columns: { key: string; title: string }[],
  notes: KpiTableNotes,
): string {
  const header = ['Metric', 'Target', ...columns.map((c) => c.title)];
  // A row whose target is "info" states a figure without a goal: no mark.
  const body = rows.map((r) => [
    r.metric,
    r.target,
    ...columns.map((c) => renderCell(r.cells[c.key], r.target === 'info')),
  ]);
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  lines.push(...body.map((r) => `| ${r.join(' | ')} |`));
  lines.push('', WARN_RULE, ...(notes.notes ?? []), '', `Method: ${notes.method}`);
  for (const w of notes.warnings ?? []) lines.push(`⚠️ ${w}`);
  return lines.join('\n');
}

function renderCell(cell: KpiCell | undefined, unmarked = false): string {
  if (!cell) return '—';
  return unmarked ? formatValue(cell.value, cell.unit) : `${ICON[cell.status]} ${formatValue(cell.value, cell.unit)}`;
}
