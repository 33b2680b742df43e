// Turns finished levels (or a cache/stress/knee run) into KPI rows, the effective config and kpi.md (pure).
import type { PhaseResult } from '../engine/phase-result.ts';
import type { CheckReport, KpiRow, RunJson } from './model.ts';
import { buildKpiRows, renderKpiTable, type KpiColumn } from './kpi-table.ts';
import type { LevelRun } from '../ladder/level.ts';
import { saturationWarnings } from '../ladder/level.ts';
import { describeMethod } from './method.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { formatValue } from './kpi-table.ts';

export const LEVEL_COLUMNS = [0, 1, 2, 3, 4].map((n) => ({ key: `level${n}`, title: `Level ${n}` }));

export interface LadderReportInputs {
  settings: LevelSettings;
  phases: PhaseResult[];
  checks: CheckReport[];
  columns: KpiColumn[];
  /** The table's columns in order (the ladder shows Level 0–4 even when some did not run). */
  tableColumns: { key: string; title: string }[];
  methodRuns: string[];
  notes: string[];
}

export interface LadderReport {
  kpiRows: KpiRow[];
  config: Record<string, unknown>;
  /** kpi.md (also the console table) for the finished run.json: its id, verdict and environment. */
  renderKpiMarkdown(run: RunJson): string;
}

export function buildLadderReport(i: LadderReportInputs): LadderReport {
  const kpiRows = buildKpiRows(i.columns, i.settings.targets);
  const warnings = i.columns.flatMap((c) => saturationWarnings(c.title, i.phases.filter((p) => p.report.name.startsWith(`${c.key} `)).map((p) => p.report)));
  const checkLines = i.checks.map((c) => `${c.passed ? '✅' : '❌'} check ${c.name}: ${c.detail}`);
  return {
    kpiRows,
    config: describeSettings(i.settings),
    renderKpiMarkdown(run) {
      const method = describeMethod({ environment: run.environment, settings: i.settings, runs: i.methodRuns, ladder: i.tableColumns === LEVEL_COLUMNS });
      const table = renderKpiTable(kpiRows, i.tableColumns, { method, warnings, notes: [...i.notes, ...checkLines] });
      return `# loadlab ${run.kind} ${run.id}: ${run.passed ? 'PASSED' : 'FAILED'}\n\n${table}\n`;
    },
  };
}

/** The ladder's columns, checks, notes and method fragments from its finished levels. */
export function ladderInputs(runs: LevelRun[]): Pick<LadderReportInputs, 'phases' | 'checks' | 'columns' | 'tableColumns' | 'methodRuns' | 'notes'> {
  return {
    phases: runs.flatMap((r) => r.measured.phases),
    checks: runs.flatMap((r) => r.checks),
    columns: runs.map((r) => ({ key: r.key, title: r.title, core: r.measured.core, extras: r.extras })),
    tableColumns: LEVEL_COLUMNS,
    methodRuns: runs.map((r) => `${r.title}: ${r.deployment}; open phase ${r.measured.open.durationSec}s at ${formatValue(r.measured.openRps, 'req/s')}`),
    notes: [
      'Latency percentiles come from the open phase, throughput from the closed phase; error rate = failed ÷ answered (any status ≥ 400, reset, timeout); availability = share of requests not lost to the server (5xx, resets, refusals, timeouts, no answer).',
      ...runs.flatMap((r) => r.notes),
    ],
  };
}

function describeSettings(s: LevelSettings): Record<string, unknown> {
  const { databaseUrl, redisUrl, adminToken, ...rest } = s;
  return { ...rest, databaseUrl: databaseUrl ? redact(databaseUrl) : 'embedded', redisUrl: redisUrl ? redact(redisUrl) : 'redis-server from PATH', adminToken: adminToken ? '(set)' : '(unset)' };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
