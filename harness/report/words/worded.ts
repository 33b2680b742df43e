// The shapes figures take in words: KPI rows (or whole columns), the checks, the notes under the table.
import type { ExtraKpi, KpiColumn } from '../kpi-table.ts';
import type { Verdict } from '../figures.ts';
import type { CheckReport } from '../model.ts';

/** A verdict as run.json's check: its name, result and value, with the target and the detail in words. */
export function wordCheck(verdict: Verdict, target: CheckReport['target'], detail: string): CheckReport {
  return { name: verdict.name, passed: verdict.passed, value: verdict.value, target, detail };
}

/** A level's figures: rows for the level's own column. */
export interface Worded {
  extras: ExtraKpi[];
  checks: CheckReport[];
  notes: string[];
}

/** An analysis (cache, stress, knee) has no level column: it brings its own columns and its method line fragment. */
export interface AnalysisWords {
  columns: KpiColumn[];
  checks: CheckReport[];
  notes: string[];
  methodRun: string;
}

/** What an analysis loaded, for its method fragment: an ad-hoc GET (--path) or the standard mix. */
export function loadOf(path: string | undefined): string {
  return path ? `, GET ${path}` : ', standard mix';
}
