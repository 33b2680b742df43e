// Renders a run.json as the human summary table printed on stderr and saved as summary.txt (pure).
import type { PhaseReport, RunJson } from './model.ts';

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
  notes.push(`${p.name}: status ${statuses.join(' ') || 'none'}${errors.length ? `; errors ${errors.join(' ')}` : ''}`);
  if (p.model === 'open') {
    const intendedRps = p.fromRps !== undefined ? (p.fromRps + (p.targetRps ?? 0)) / 2 : p.targetRps;
    const late = `${p.lateSends} sends late (> ${p.lateThresholdMs} ms), send lag p99 ${p.sendLagMs?.p99} ms`;
    const resent = p.resetRetries ? `; ${p.resetRetries} resent after a keep-alive reset` : '';
    notes.push(`${p.name}: achieved ${p.achievedRps} of ${intendedRps} req/s intended; ${late}${resent}`);
  }
  if (p.generatorSaturated) {
    notes.push(
      `⚠ ${p.name}: the load generator was saturated (${p.generator.saturationReason}): these figures measure the generator, not the SUT.`,
    );
  }
  return notes;
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
  ];
  if (run.checks.length) {
    lines.push('', 'checks:', ...run.checks.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`));
  }
  const e = run.environment;
  lines.push(
    '',
    `method: ${e.cpus} cpus (${e.cpuModel}), ${e.os}, node ${e.node}, commit ${e.gitCommit?.slice(0, 7) ?? 'unknown'}`,
  );
  return lines.join('\n');
}
