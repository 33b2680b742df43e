// Turns finished levels (or a cache/stress/knee run) into run.json, kpi.md and the console table (pure but for the clock).
import type { PhaseResult } from '../engine/phase-result.ts';
import type { CheckReport, Environment, RunJson } from './model.ts';
import { buildRunJson } from './run-json.ts';
import { buildKpiRows, renderKpiTable, type KpiColumn } from './kpi-table.ts';
import type { LevelRun } from '../ladder/level.ts';
import { saturationWarnings } from '../ladder/level.ts';
import { describeMethod } from './method.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { formatValue } from './kpi-table.ts';

export const LEVEL_COLUMNS = [0, 1, 2, 3, 4].map((n) => ({ key: `level${n}`, title: `Level ${n}` }));

export interface BenchReportInputs {
  id: string;
  kind: string;
  startedAt: Date;
  finishedAt: Date;
  environment: Environment;
  settings: LevelSettings;
  phases: PhaseResult[];
  checks: CheckReport[];
  columns: KpiColumn[];
  /** The table's columns in order (the ladder shows Level 0–4 even when some did not run). */
  tableColumns: { key: string; title: string }[];
  methodRuns: string[];
  notes: string[];
}

export interface BenchReport {
  run: RunJson;
  kpiMarkdown: string;
}

export function buildBenchReport(i: BenchReportInputs): BenchReport {
  const rows = buildKpiRows(i.columns, i.settings.targets);
  const run = buildRunJson({
    id: i.id,
    kind: i.kind,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt,
    environment: i.environment,
    config: describeSettings(i.settings),
    phases: i.phases,
    checks: i.checks,
    kpiRows: rows,
  });
  const warnings = i.columns.flatMap((c) => saturationWarnings(c.title, i.phases.filter((p) => p.report.name.startsWith(`${c.key} `)).map((p) => p.report)));
  const checkLines = i.checks.map((c) => `${c.passed ? '✅' : '❌'} check ${c.name}: ${c.detail}`);
  const method = describeMethod({ environment: i.environment, settings: i.settings, runs: i.methodRuns, ladder: i.tableColumns === LEVEL_COLUMNS });
  const kpiMarkdown = renderKpiTable(rows, i.tableColumns, { method, warnings, notes: [...i.notes, ...checkLines] });
  return { run, kpiMarkdown: `# loadlab ${i.kind} ${i.id}: ${run.passed ? 'PASSED' : 'FAILED'}\n\n${kpiMarkdown}\n` };
}

/** The ladder's columns, checks, notes and method fragments from its finished levels. */
export function ladderInputs(runs: LevelRun[]): Pick<BenchReportInputs, 'phases' | 'checks' | 'columns' | 'tableColumns' | 'methodRuns' | 'notes'> {
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
