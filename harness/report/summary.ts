// Renders a run.json as the human summary table printed on stderr and saved as summary.txt (pure).
import type { LatencySummaryMs, PhaseReport, RunJson } from './model.ts';
import { describeMonitorCost } from './method.ts';
import { describeOverload } from './words/overload.ts';

type Cell = string | number;

/** Left-aligns the first column, right-aligns the rest. */
export function renderTable(header: Cell[], rows: Cell[][]): string {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function load(p: PhaseReport): string {
  if (p.model === 'closed') return `${p.connections} conn`;
  return `${p.fromRps !== undefined ? `${p.fromRps}→` : ''}${p.targetRps} req/s`;
}

function phaseRow(p: PhaseReport): Cell[] {
  const l = p.latencyMs;
  const r = p.requests;
  return [
    p.judged ? p.name : `${p.name}*`,
    p.model,
    load(p),
    `${p.durationSec}s`,
    r.sent,
    r.completed,
    r.failed,
    r.inFlight,
    p.throughputRps.toFixed(1),
    l.p50,
    l.p90,
    l.p95,
    l.p99,
    l.p999,
    l.max,
    `${p.generator.cpuPctMean}%`,
  ];
}

function endpointLines(p: PhaseReport): string[] {
  if (p.endpoints.length < 2) return [];
  const rows = p.endpoints.map((e) => [
    e.name,
    e.requests,
    e.failed,
    e.throughputRps.toFixed(1),
    e.latencyMs.p50,
    e.latencyMs.p95,
    e.latencyMs.p99,
    e.latencyMs.max,
  ]);
  return [
    '',
    `endpoints in ${p.name}:`,
    renderTable(['endpoint', 'requests', 'failed', 'req/s', 'p50', 'p95', 'p99', 'max'], rows),
  ];
}

function noteLines(p: PhaseReport): string[] {
  const notes: string[] = [];
  const errors = Object.entries(p.requests.byError).map(([k, v]) => `${k} ${v}`);
  const statuses = Object.entries(p.requests.byStatus).map(([k, v]) => `${k}×${v}`);
  const overload = p.overload ? `; ${describeOverload(p.overload)}` : '';
  notes.push(
    `${p.name}: status ${statuses.join(' ') || 'none'}${errors.length ? `; errors ${errors.join(' ')}` : ''}${overload}`,
  );
  if (p.model === 'open') {
    const intendedRps = p.fromRps !== undefined ? (p.fromRps + (p.targetRps ?? 0)) / 2 : p.targetRps;
    const arrivals = p.arrivals ? ` (${p.arrivals} arrivals)` : '';
    const late = `${p.lateSends} sends late (> ${p.lateThresholdMs} ms)`;
    const resent = p.resetRetries ? `; ${p.resetRetries} resent after a keep-alive reset` : '';
    const unsent = p.unsent ? `; ${p.unsent} never written (every connection busy), counted as held` : '';
    notes.push(
      `${p.name}: achieved ${p.achievedRps} of ${intendedRps} req/s intended${arrivals}; ${late}${resent}${unsent}`,
    );
    notes.push(`${p.name}: ${twoViews(p)}`);
  }
  notes.push(...answerLines(p));
  if (p.generatorSaturated) {
    const reason = p.saturationReason ?? p.generator.saturationReason;
    notes.push(
      `⚠ ${p.name}: the load generator was saturated (${reason}): these figures measure the generator, not the SUT.`,
    );
  }
  return notes;
}

/**
 * An open phase's two latencies side by side, labelled so neither is taken for the other: from the intended send
 * time (what the table shows and thresholds judge) and from the actual send (service time), with the send lag between.
 */
function twoViews(p: PhaseReport): string {
  const pair = (l: LatencySummaryMs) => `p50 ${l.p50} / p99 ${l.p99} ms`;
  const parts = [`latency (from intended send, judged) ${pair(p.latencyMs)}`];
  if (p.serviceTimeMs) parts.push(`service time (from actual send) ${pair(p.serviceTimeMs)}`);
  if (p.sendLagMs) parts.push(`send lag ${pair(p.sendLagMs)}`);
  return parts.join(' · ');
}

/** The sampled answer checks: how many, and when any was wrong, how many and the first problem. */
function answerLines(p: PhaseReport): string[] {
  const a = p.answerChecks;
  if (!a || a.checked === 0) return [];
  const sample = `${Number((a.sampleFraction * 100).toPrecision(3))}% sample`;
  if (a.wrong === 0) return [`${p.name}: answers checked ${a.checked} (${sample}), all right`];
  const first = a.firstProblem ? `; first: ${a.firstProblem}` : '';
  return [`✗ ${p.name}: ${a.wrong} wrong answers of ${a.checked} checked (${sample})${first}`];
}

/** What went to the target in all: the phases' sends, the verification calls and the monitor's probes to it. */
function accountingLine(run: RunJson): string[] {
  if (!run.verification && !run.probes) return [];
  const sent = run.phases.reduce((sum, p) => sum + p.requests.sent, 0);
  const verification = run.verification?.requests ?? 0;
  const probes = run.probes?.requests ?? 0;
  const probeText = run.probes ? ` + ${probes} monitor probes` : '';
  const total = sent + verification + probes;
  return [`requests to the target: ${sent} in phases + ${verification} verification${probeText} = ${total}`];
}

/** The generator's threads (the most any phase used) and the open phases' arrivals, for the method line. */
function generatorMethod(run: RunJson): string {
  const threads = Math.max(1, ...run.phases.map((p) => p.generator.threads ?? 1));
  const asked = run.config.generatorThreads;
  const askedText = typeof asked === 'number' && asked !== threads ? ` (${asked} asked)` : '';
  const arrivals = [...new Set(run.phases.flatMap((p) => (p.arrivals ? [p.arrivals] : [])))];
  const arrivalsText = arrivals.length ? `, ${arrivals.join(' and ')} arrivals` : '';
  return `generator ${threads} thread${threads === 1 ? '' : 's'}${askedText}${arrivalsText}`;
}

export function renderSummary(run: RunJson): string {
  const header = [
    'phase',
    'model',
    'load',
    'time',
    'sent',
    'ok',
    'failed',
    'in flight',
    'req/s',
    'p50',
    'p90',
    'p95',
    'p99',
    'p99.9',
    'max',
    'gen cpu',
  ];
  const lines = [
    `loadlab ${run.kind} ${run.id}: ${run.passed ? 'PASSED' : 'FAILED'}`,
    '',
    renderTable(header, run.phases.map(phaseRow)),
    'latency in ms, measured from the intended send time in open phases; * = not judged',
    ...run.phases.flatMap(endpointLines),
    '',
    ...run.phases.flatMap(noteLines),
    ...accountingLine(run),
  ];
  if (run.checks.length) {
    lines.push('', 'checks:', ...run.checks.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`));
  }
  const e = run.environment;
  lines.push(
    '',
    `method: ${e.cpus} cpus (${e.cpuModel}), ${e.os}, node ${e.node}, commit ${e.gitCommit?.slice(0, 7) ?? 'unknown'}; ${generatorMethod(run)}`,
  );
  const monitor = describeMonitorCost(run.phases);
  if (monitor) lines.push(`${monitor}.`);
  return lines.join('\n');
}
