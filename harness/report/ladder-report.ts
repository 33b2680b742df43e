// Turns finished levels (or a cache/stress/knee run) into KPI rows, checks, the effective config and kpi.md (pure).
import { redactEnv, redactUrl } from '../../lib/redact.ts';
import type { AnalysisFigures, LevelFigures } from './figures.ts';
import type { CheckReport, KpiRow, PhaseReport, RunJson } from './model.ts';
import {
  buildKpiRows,
  formatValue,
  renderKpiTable,
  type CoreMetric,
  type KpiColumn,
  type KpiTargets,
} from './kpi-table.ts';
import { describeMethod, type MethodSettings } from './method.ts';
import { deploymentNote, LADDER_NOTE, saturationWarnings, wordAnalysis, wordLevel } from './words.ts';

export const LEVEL_COLUMNS = [0, 1, 2, 3, 4].map((n) => ({ key: `level${n}`, title: `Level ${n}` }));

/** The settings a report reads: the phase plan, the KPI targets, and the secrets it redacts from the config. */
export interface ReportSettings extends MethodSettings {
  targets: KpiTargets;
  databaseUrl?: string;
  redisUrl?: string;
  adminToken: string;
  /** `--sut-env` values; secret-named ones (AUTH_SECRET, …) are redacted in run.json. */
  sutEnv: Record<string, string>;
}

export interface LadderReportInputs {
  settings: ReportSettings;
  /** Every phase run, for the saturation warnings. */
  phases: PhaseReport[];
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

/** What the report needs of a finished level (ladder/level.ts's LevelRun has this shape). */
export interface FinishedLevel {
  key: string;
  deployment: string;
  figures?: LevelFigures;
  /** Each trial's own figures; with more than one, every trial's checks are listed, named by trial. */
  trials?: { figures?: LevelFigures }[];
  measured: {
    phases: { report: PhaseReport }[];
    core: Record<CoreMetric, number>;
    open: PhaseReport;
    openRps: number;
  };
}

/** What the report needs of a finished cache, stress or knee run. */
export interface FinishedAnalysis {
  phases: { report: PhaseReport }[];
  figures: AnalysisFigures;
}

export function buildLadderReport(i: LadderReportInputs): LadderReport {
  const kpiRows = buildKpiRows(i.columns, i.settings.targets);
  const warnings = i.columns.flatMap((c) =>
    saturationWarnings(
      c.title,
      i.phases.filter((p) => p.name.startsWith(`${c.key} `)),
    ),
  );
  return {
    kpiRows,
    config: describeSettings(i.settings),
    renderKpiMarkdown(run) {
      const ladder = i.tableColumns === LEVEL_COLUMNS;
      const method = describeMethod({
        environment: run.environment,
        settings: i.settings,
        runs: i.methodRuns,
        ladder,
        phases: run.phases,
      });
      // run.checks: the level checks and those every run gets (finishRun's "right answers").
      const checkLines = run.checks.map((c) => `${c.passed ? '✅' : '❌'} check ${c.name}: ${c.detail}`);
      const table = renderKpiTable(kpiRows, i.tableColumns, { method, warnings, notes: [...i.notes, ...checkLines] });
      return `# loadlab ${run.kind} ${run.id}: ${run.passed ? 'PASSED' : 'FAILED'}\n\n${table}\n`;
    },
  };
}

/** The ladder's columns, checks, notes and method fragments from its finished levels, worded. */
export function ladderInputs(runs: FinishedLevel[]): Omit<LadderReportInputs, 'settings'> {
  const worded = runs.map((r) => ({ run: r, title: titleOf(r.key), words: wordLevel(r.figures) }));
  return {
    phases: runs.flatMap((r) => r.measured.phases.map((p) => p.report)),
    checks: worded.flatMap((w) => trialChecks(w.run) ?? w.words.checks),
    columns: worded.map(({ run, title, words }) => ({
      key: run.key,
      title,
      core: run.measured.core,
      extras: words.extras,
    })),
    tableColumns: LEVEL_COLUMNS,
    methodRuns: worded.map(({ run, title }) => {
      const note = deploymentNote(run.figures);
      const open = `open phase ${run.measured.open.durationSec}s at ${formatValue(run.measured.openRps, 'req/s')}`;
      return `${title}: ${run.deployment}${note ? `, ${note}` : ''}; ${open}`;
    }),
    notes: [LADDER_NOTE, ...worded.flatMap((w) => w.words.notes)],
  };
}

/** With several trials, each trial's checks, named "… (trial k/N)"; undefined for a run of one trial. */
function trialChecks(run: FinishedLevel): CheckReport[] | undefined {
  const trials = run.trials ?? [];
  if (trials.length <= 1) return undefined;
  return trials.flatMap((t, i) =>
    wordLevel(t.figures).checks.map((c) => ({ ...c, name: `${c.name} (trial ${i + 1}/${trials.length})` })),
  );
}

/** A cache, stress or knee run's own columns, checks, notes and method fragment, worded. */
export function analysisInputs(run: FinishedAnalysis): Omit<LadderReportInputs, 'settings'> {
  const words = wordAnalysis(run.figures);
  return {
    phases: run.phases.map((p) => p.report),
    checks: words.checks,
    columns: words.columns,
    tableColumns: words.columns,
    methodRuns: [words.methodRun],
    notes: words.notes,
  };
}

function titleOf(key: string): string {
  return LEVEL_COLUMNS.find((c) => c.key === key)?.title ?? key;
}

function describeSettings<S extends ReportSettings>(s: S): Record<string, unknown> {
  const { databaseUrl, redisUrl, adminToken, sutEnv, ...rest } = s;
  return {
    ...rest,
    sutEnv: redactEnv(sutEnv),
    databaseUrl: databaseUrl ? redactUrl(databaseUrl) : 'embedded',
    redisUrl: redisUrl ? redactUrl(redisUrl) : 'redis-server from PATH',
    adminToken: adminToken ? '(set)' : '(unset)',
  };
}
