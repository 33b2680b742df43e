// Targets + aggregated figures → checks and KPI cells (pure); the checks decide the exit code.
import type { AggregateView, Figures } from './aggregate.ts';
import type { CheckReport, KpiRow, PhaseReport } from '../report/model.ts';
import { buildKpiRows, compare, CORE_ROWS, type ExtraKpi } from '../report/kpi-table.ts';
import { DEFAULT_KPI_TARGETS, displayUnit, toDisplay, toKpiTarget, type Metric, type Target } from './targets.ts';

/** One check per target, named by the target as written. */
export function judgeThresholds(targets: Target[], view: AggregateView): CheckReport[] {
  return targets.map((t) => judgeOne(t, view));
}

function judgeOne(t: Target, view: AggregateView): CheckReport {
  const figures = t.endpoint === undefined ? view.overall : view.endpoints.get(t.endpoint);
  const unjudged = { name: t.source, passed: false, value: null, target: t.value };
  if (!figures) {
    const known = [...view.endpoints.keys()].join(', ') || 'none';
    return { ...unjudged, detail: `no requests for endpoint "${t.endpoint}" (endpoints: ${known})` };
  }
  if (figures.requests === 0) return { ...unjudged, detail: 'no requests were answered in the judged phases' };
  const value = figureOf(t.metric, figures);
  if (value === undefined) return { ...unjudged, detail: `${t.metric} is not measured for ${t.endpoint ?? 'the run'}` };
  const passed = compare(value, t.op, t.value);
  const where = t.endpoint ?? 'overall';
  const need = `${t.op} ${formatFigure(t.metric, t.value)}`;
  return {
    name: t.source,
    passed,
    value,
    target: t.value,
    detail: `${where} ${t.metric} = ${formatFigure(t.metric, value)} (need ${need})`,
  };
}

/** The figure a metric names, in the metric's canonical unit (ms, req/s, a fraction). */
function figureOf(metric: Metric, f: Figures): number | undefined {
  if (metric === 'error_rate') return f.errorRate;
  if (metric === 'availability') return f.availability;
  if (metric === 'throughput') return f.throughputRps;
  return f.latencyMs[metric];
}

function formatFigure(metric: Metric, value: number): string {
  const unit = displayUnit(metric);
  if (unit !== '%') return `${value} ${unit}`;
  // Three digits keep an error rate readable (0.333%); availability needs more to tell 99.95% from 100%.
  const percent = toDisplay(metric, value);
  return metric === 'availability' ? `${Number(percent.toPrecision(6))}%` : `${percent.toPrecision(3)}%`;
}

/**
 * `loadlab run`'s KPI rows: one per KPI-table metric that has an overall target, in the column `run`, each cell
 * carrying its check's verdict (the checks decide a run; no ⚠️ band here).
 */
export function judgeRunKpis(view: AggregateView, targets: Target[], checks: CheckReport[]): KpiRow[] {
  const extras: ExtraKpi[] = CORE_ROWS.flatMap(({ metric, label }) => {
    const t = targets.find((x) => x.metric === metric && x.endpoint === undefined);
    if (!t) return [];
    const figure = figureOf(metric, view.overall);
    const passed = checks.find((c) => c.name === t.source)?.passed === true;
    const value = figure === undefined ? null : toDisplay(metric, figure);
    return [
      { metric: label, target: toKpiTarget(t), value, unit: displayUnit(metric), status: passed ? 'pass' : 'fail' },
    ];
  });
  return buildKpiRows([{ key: 'run', title: 'run', extras }], DEFAULT_KPI_TARGETS);
}

export const RIGHT_ANSWERS_CHECK = 'right answers';

/**
 * A wrong answer fails the run, in any phase (a SUT that answers wrongly is not measured, warm-up included): one
 * failed check naming how many of the sampled answers were wrong and the first problem. No wrong answer, no check
 * (each phase's answerChecks says how many were checked).
 */
export function judgeAnswers(phases: PhaseReport[]): CheckReport[] {
  const sampled = phases.filter((p) => p.answerChecks !== undefined);
  const wrong = sum(sampled.map((p) => p.answerChecks!.wrong));
  if (wrong === 0) return [];
  const checked = sum(sampled.map((p) => p.answerChecks!.checked));
  const where = sampled
    .filter((p) => p.answerChecks!.wrong > 0)
    .map((p) => `${p.answerChecks!.wrong} in ${p.name}`)
    .join(', ');
  const first = sampled.find((p) => p.answerChecks!.firstProblem !== undefined);
  const firstText = first ? `; first (${first.name}): ${first.answerChecks!.firstProblem}` : '';
  return [
    {
      name: RIGHT_ANSWERS_CHECK,
      passed: false,
      value: wrong,
      target: 0,
      detail: `${wrong} wrong of ${checked} sampled answers (${where})${firstText}`,
    },
  ];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
