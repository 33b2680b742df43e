// bench overhead, workers and engine in words: row labels, KPI rows, checks, notes, the method line and kpi.md (pure).
// Takes the judge's numbers by shape (nothing here imports harness/bench/), so arrows keep pointing down; bench
// engine's figure and verdict types are defined here once and bench/judge.ts fills them.
import type { CheckReport, Environment, KpiCell, KpiRow, RunJson } from '../model.ts';
import { renderKpiTable } from '../kpi-table.ts';

export interface BenchReport {
  kpiRows: KpiRow[];
  checks: CheckReport[];
  columns: { key: string; title: string }[];
  notes: string[];
  /** The method line, from the finished run's environment. */
  method(environment: Environment): string;
}

export type GeneratorKind = 'wrk' | 'autocannon';

const GENERATOR_WORDS: Record<GeneratorKind, string> = { wrk: 'wrk (1 thread)', autocannon: 'autocannon' };
const INFO = 'info';
const ON_SCHEDULE = 'highest probe on schedule (p99 not judged)';

/** kpi.md, also what stdout shows: the heading with the verdict, then the table, notes and method line. */
export function renderBenchMarkdown(run: RunJson, report: BenchReport): string {
  const checkLines = run.checks.map((c) => `${c.passed ? '✅' : '❌'} check ${c.name}: ${c.detail}`);
  const notes = [...report.notes, ...checkLines];
  const table = renderKpiTable(run.kpi.rows, report.columns, { method: report.method(run.environment), notes });
  return `# loadlab ${run.kind} ${run.id}: ${run.passed ? 'PASSED' : 'FAILED'}\n\n${table}\n`;
}

export interface OverheadWordsInput {
  verdicts: { key: string; rps: number; ratioToBare: number; goalRatio?: number; passed?: boolean }[];
  generator: GeneratorKind;
  connections: number;
  rounds: number;
  sliceSec: number;
  warmIds: number;
  problems: string[];
  /** The generator's CPU and the servers' when they were pinned apart. */
  pinning?: { generatorCpu: number; serverCpu: number };
}

export function describeOverhead(i: OverheadWordsInput): BenchReport {
  const label = (key: string) => overheadLabel(key, i.warmIds);
  const kpiRows = i.verdicts.map((v) => ({
    metric: label(v.key),
    target: v.goalRatio !== undefined ? `≥ ${v.goalRatio.toFixed(2)} × bare` : v.key === 'bare' ? 'baseline' : INFO,
    cells: { rps: infoCell(Math.round(v.rps), 'req/s'), ratio: cell(round2(v.ratioToBare), '×', v.passed !== false) },
  }));
  const checks = i.verdicts.flatMap((v) =>
    v.goalRatio === undefined
      ? []
      : [
          {
            name: `overhead: ${label(v.key)}`,
            passed: v.passed === true,
            value: round2(v.ratioToBare),
            target: v.goalRatio,
            detail: `${v.ratioToBare.toFixed(2)} × ${label('bare')} (goal ≥ ${v.goalRatio.toFixed(2)})`,
          },
        ],
  );
  return {
    kpiRows,
    checks,
    columns: [
      { key: 'rps', title: 'req/s' },
      { key: 'ratio', title: 'ratio to bare' },
    ],
    notes: problemNotes(i.generator, i.problems),
    method: (e) =>
      `${GENERATOR_WORDS[i.generator]}, ${i.connections} connections, ${plural(i.rounds, 'interleaved round')} ` +
      `of ${i.sliceSec}s per target, median of each, one invocation; Node ${e.node}; ${e.cpuModel} × ${e.cpus} — ` +
      (i.pinning
        ? `generator pinned to CPU ${i.pinning.generatorCpu}, every server to CPU ${i.pinning.serverCpu} (taskset)`
        : `generator and server share these ${e.cpus} cores`) +
      `; SUT 1 process, cache warm.`,
  };
}

function overheadLabel(key: string, warmIds: number): string {
  if (key === 'bare') return 'bare node:http JSON';
  if (key === 'bare-hono') return 'bare Hono on @hono/node-server, GET /health';
  if (key === 'health') return 'SUT GET /health';
  return `SUT GET /api/users/:id (warm, ids 1..${warmIds})`;
}

export interface WorkersWordsInput {
  verdicts: { workers: number; rps: number; speedup: number; efficiencyPct: number }[];
  generator: GeneratorKind;
  connections: number;
  durationSec: number;
  warmupSec: number;
  warmIds: number;
  problems: string[];
}

export function describeWorkers(i: WorkersWordsInput): BenchReport {
  const key = (workers: number) => `workers-${workers}`;
  const row = (metric: string, value: (v: WorkersWordsInput['verdicts'][number]) => number, unit: string): KpiRow => ({
    metric,
    target: INFO,
    cells: Object.fromEntries(i.verdicts.map((v) => [key(v.workers), infoCell(value(v), unit)])),
  });
  const base = i.verdicts[0]?.workers ?? 1;
  return {
    kpiRows: [
      row('Throughput, warm GET /api/users/:id', (v) => Math.round(v.rps), 'req/s'),
      row(`Speed-up vs ${plural(base, 'worker')}`, (v) => round2(v.speedup), '×'),
      row('Efficiency (speed-up ÷ workers)', (v) => Math.round(v.efficiencyPct), '%'),
    ],
    checks: [],
    columns: i.verdicts.map((v) => ({
      key: key(v.workers),
      title: plural(v.workers, 'worker'),
    })),
    notes: problemNotes(i.generator, i.problems),
    method: (e) =>
      `${GENERATOR_WORDS[i.generator]}, ${i.connections} connections, ` +
      `warm GET /api/users/:id over ids 1..${i.warmIds}, ` +
      `${i.warmupSec}s warm-up + ${i.durationSec}s each, one run; Node ${e.node}; ${e.cpuModel}. ` +
      `Cores: ${e.cpus} in all, shared by the generator (1 thread), the SUT workers and PostgreSQL — ` +
      `so with ${e.cpus} cores a ` +
      `2-worker SUT competes with its own generator, and the speed-up is a floor, not the SUT's scaling.`,
  };
}

/** An open-engine probe, as the judge gives it. */
export interface OpenProbeWords {
  rateRps: number;
  lateShare: number;
  sendLagP99Ms: number;
  p99Ms: number;
  p99LimitMs: number;
  misses: ProbeMissWord[];
  saturationReason?: string;
  held: boolean;
}

/** A wrk2 probe, as the judge gives it. */
export interface Wrk2ProbeWords {
  rateRps: number;
  achievedRps: number;
  scheduledRps: number;
  p50Ms: number;
  p99Ms: number;
  p99LimitMs: number;
  misses: ProbeMissWord[];
  held: boolean;
}

export type ProbeMissWord = 'late' | 'p99' | 'unanswered' | 'saturated' | 'rate';

export type EnginePinning = { generatorCpus: number[]; targetCpu: number; cpus: number } | { cpus: number };

/** bench engine's figures, as the judge (bench/judge.ts) measures them. */
export interface EngineFigures {
  closedRps: number;
  autocannonCliRps: number;
  /** Undefined when wrk is not on PATH. */
  wrkRps?: number;
  /** The closed model with one connection, at low load: the p99 the probes are held to, the p50 precision is. */
  baseline: { p50Ms: number; p99Ms: number };
  /** The open engine's highest rate where a probe holds, and its highest probe on schedule, per thread count. */
  open: { threads: number; maxRps: number; onScheduleRps: number }[];
  /** wrk2's, under the same p99 rule, and its highest probe on schedule; undefined when wrk2 is not on PATH. */
  wrk2MaxRps?: number;
  wrk2OnScheduleRps?: number;
  /** One open phase at a low fixed rate on one thread. */
  precision: { rateRps: number; sendLagP50Ms: number; sendLagP99Ms: number; p50Ms: number; cpuPctMean: number };
  rss: { peakMb: number; firstQuarterMb: number; lastQuarterMb: number; rateRps: number; threads: number };
}

/** The judge's verdict on them. */
export interface EngineVerdict {
  closedToAutocannonCli: number;
  closedToWrk?: number;
  /** Open engine on one thread ÷ wrk2, both under the probe rule; only when both were measured and wrk2's is > 0. */
  openToWrk2?: number;
  /** Open p50 (from the intended send) − the closed model's p50 at one connection. */
  p50DifferenceMs: number;
  meets: {
    closedToAutocannonCli: boolean;
    rss: boolean;
    /** Undefined when no search ran on one thread. */
    openOneThread?: boolean;
    sendLagP50: boolean;
    sendLagP99: boolean;
    p50: boolean;
  };
}

export interface EngineWordsInput {
  figures: EngineFigures;
  verdict: EngineVerdict;
  goals: {
    closedToAutocannonCli: number;
    rssPeakMb: number;
    openOneThreadRps: number;
    sendLagP50Ms: number;
    sendLagP99Ms: number;
    p50WithinMs: number;
  };
  probeRule: { maxLateShare: number; p99MarginMs: number; minAchievedShare: number };
  openSearches: { threads: number; probes: OpenProbeWords[] }[];
  /** Undefined when wrk2 is not on PATH. */
  wrk2Probes?: Wrk2ProbeWords[];
  target: string;
  pinning: EnginePinning;
  /** The thread counts searched. */
  threads: number[];
  connections: number;
  warmupSec: number;
  baselineSec: number;
  durationSec: number;
  precisionSec: number;
  probeSec: number;
  maxProbes: number;
  settleSec: number;
  capRps: number;
  rssDurationSec: number;
  loadAverage: { start: number; end: number };
}

export function describeEngine(i: EngineWordsInput): BenchReport {
  const { figures: f, verdict: v, goals: g } = i;
  const row = (metric: string, target: string, c: KpiCell): KpiRow => ({ metric, target, cells: { engine: c } });
  const info = (metric: string, value: number, unit: string) => row(metric, INFO, infoCell(value, unit));
  const c = i.connections;
  const p = f.precision;
  const openRows = f.open.map((o) =>
    o.threads === 1 && v.meets.openOneThread !== undefined
      ? row(
          `Open engine, 1 thread: highest rate where a probe holds`,
          `≥ ${g.openOneThreadRps} req/s`,
          cell(o.maxRps, 'req/s', v.meets.openOneThread),
        )
      : info(`Open engine, ${plural(o.threads, 'thread')}: highest rate where a probe holds`, o.maxRps, 'req/s'),
  );
  const onScheduleRows = f.open.map((o) =>
    info(`Open engine, ${plural(o.threads, 'thread')}: ${ON_SCHEDULE}`, o.onScheduleRps, 'req/s'),
  );
  const rows = [
    info(`Closed engine, ${c} connections`, Math.round(f.closedRps), 'req/s'),
    info(`autocannon CLI, ${c} connections`, Math.round(f.autocannonCliRps), 'req/s'),
    ...(f.wrkRps !== undefined ? [info(`wrk -t1, ${c} connections`, Math.round(f.wrkRps), 'req/s')] : []),
    row(
      'Closed engine ÷ autocannon CLI',
      `≥ ${g.closedToAutocannonCli.toFixed(2)}`,
      cell(round2(v.closedToAutocannonCli), '×', v.meets.closedToAutocannonCli),
    ),
    ...(v.closedToWrk !== undefined ? [info('Closed engine ÷ wrk -t1', round2(v.closedToWrk), '×')] : []),
    info('Closed model, 1 connection, low load: p50', f.baseline.p50Ms, 'ms'),
    info('Closed model, 1 connection, low load: p99', f.baseline.p99Ms, 'ms'),
    ...openRows,
    ...(f.wrk2MaxRps !== undefined ? [info('wrk2 -t1: highest rate where a probe holds', f.wrk2MaxRps, 'req/s')] : []),
    ...onScheduleRows,
    ...(f.wrk2OnScheduleRps !== undefined ? [info(`wrk2 -t1: ${ON_SCHEDULE}`, f.wrk2OnScheduleRps, 'req/s')] : []),
    ...(v.openToWrk2 !== undefined ? [info('Open engine (1 thread) ÷ wrk2', round2(v.openToWrk2), '×')] : []),
    row(`Send lag p50 at ${p.rateRps} req/s`, `≤ ${g.sendLagP50Ms} ms`, cell(p.sendLagP50Ms, 'ms', v.meets.sendLagP50)),
    row(`Send lag p99 at ${p.rateRps} req/s`, `≤ ${g.sendLagP99Ms} ms`, cell(p.sendLagP99Ms, 'ms', v.meets.sendLagP99)),
    row(
      `Open p50 at ${p.rateRps} req/s − closed p50 at 1 connection`,
      `within ±${g.p50WithinMs} ms`,
      cell(round3(v.p50DifferenceMs), 'ms', v.meets.p50),
    ),
    info(`Generator CPU at ${p.rateRps} req/s (% of one core)`, Math.round(p.cpuPctMean * 10) / 10, '%'),
    row(
      `RSS peak over a ${i.rssDurationSec}s open run at ${f.rss.rateRps} req/s`,
      `< ${g.rssPeakMb} MB`,
      cell(Math.round(f.rss.peakMb), 'MB', v.meets.rss),
    ),
    info('RSS, mean of the first quarter of that run', Math.round(f.rss.firstQuarterMb), 'MB'),
    info('RSS, mean of the last quarter (flat: close to the first)', Math.round(f.rss.lastQuarterMb), 'MB'),
  ];
  return {
    kpiRows: rows,
    checks: [],
    columns: [{ key: 'engine', title: i.target }],
    notes: [
      'The goals colour their rows; bench engine has no pass/fail rule, so they do not set the exit code.',
      describeProbeRule(i),
      ...(f.wrkRps === undefined ? ['wrk: not on PATH, skipped'] : []),
      ...(i.wrk2Probes === undefined ? ['wrk2: not on PATH, its comparison skipped'] : []),
      ...i.openSearches.flatMap((s) => s.probes.map((probe) => describeOpenProbe(s.threads, probe))),
      ...(i.wrk2Probes ?? []).map(describeWrk2Probe),
      ...(f.open[0] && f.open[0].maxRps === 0 ? [`no rate held, so the RSS run went at ${f.rss.rateRps} req/s`] : []),
      ...(f.wrk2MaxRps === 0 && f.open.some((o) => o.threads === 1)
        ? ['Open engine (1 thread) ÷ wrk2: not defined, wrk2 held no rate under the p99 rule']
        : []),
      `"${ON_SCHEDULE}": the highest rate among the probes above that missed nothing but the p99 limit, by each ` +
        "side's own rule — ours counts every send over 2 ms late and the saturation flag, wrk2 only its achieved " +
        'rate and errors, so the two are not alike; a lower bound, since the probes follow the full rule.',
    ],
    method: (e) =>
      `target: ${i.target}; ${describePinning(i.pinning)}; ` +
      `generator threads: ${i.threads.join(', ')} (searched; 1 for everything else); ` +
      `closed: ${c} connections, ${i.durationSec}s each after a ${i.warmupSec}s warm-up; ` +
      `low-load baseline: closed, 1 connection, ${i.baselineSec}s; ` +
      `open probes of ${i.probeSec}s (uniform arrivals) after ${i.settleSec}s idle, ` +
      `at most ${i.maxProbes} per search from ` +
      `[0, ${i.capRps} req/s]${i.wrk2Probes ? `, ours and wrk2's (-t1 -c${c}) in turns` : ''}; ` +
      `precision: ${i.precisionSec}s at ${p.rateRps} req/s; RSS run: ${i.rssDurationSec}s; ` +
      `load average ${i.loadAverage.start.toFixed(1)} at start, ${i.loadAverage.end.toFixed(1)} at end; ` +
      `one run; Node ${e.node}; ${e.cpuModel}.`,
  };
}

function describeProbeRule(i: EngineWordsInput): string {
  const r = i.probeRule;
  const limitMs = round3(i.figures.baseline.p99Ms + r.p99MarginMs);
  const open =
    `A probe holds when ≤ ${r.maxLateShare * 100}% of its sends are late, its p99 from the intended send is within ` +
    `${r.p99MarginMs} ms of the low-load closed p99 (≤ ${limitMs} ms here), every request is answered and the ` +
    'phase is not flagged generatorSaturated';
  if (!i.wrk2Probes) return `${open}.`;
  return (
    `${open}; a wrk2 probe when it achieves ≥ ${r.minAchievedShare * 100}% of the rate it schedules (its ` +
    `${i.connections} connections start 5 ms apart, each on its own schedule), with the same p99 limit and no ` +
    "errors. wrk2 waits for a due send on a millisecond timer, rounded up (wrk.c's delay_request), and counts " +
    'latency from the intended send, so each of its latencies carries up to about 1.5 ms of its own timer slack: ' +
    'on a sub-millisecond target its p50 sits near 1 ms, and a 0.5 ms margin may hold at no rate.'
  );
}

function describePinning(p: EnginePinning): string {
  if (!('generatorCpus' in p)) return `not pinned: generator and target share ${plural(p.cpus, 'core')}`;
  const cpus = p.generatorCpus.length === 1 ? `CPU ${p.generatorCpus[0]}` : `CPUs ${p.generatorCpus.join(',')}`;
  return `pinned with taskset: generator ${cpus}, target CPU ${p.targetCpu} (of ${p.cpus})`;
}

const MISS_WORDS: Record<ProbeMissWord, string> = {
  late: 'over 1% late',
  p99: 'p99 over the limit',
  unanswered: 'requests failed or unanswered',
  saturated: 'generator saturated',
  rate: 'rate not achieved',
};

function verdictWords(p: { held: boolean; misses: ProbeMissWord[]; saturationReason?: string }): string {
  if (p.held) return 'holds';
  const misses = p.misses.map((m) =>
    m === 'saturated' && p.saturationReason ? `${MISS_WORDS[m]} (${p.saturationReason})` : MISS_WORDS[m],
  );
  return `does not hold: ${misses.join('; ')}`;
}

/** One open-engine probe as a line: rate, late share, send-lag p99, p99 against its limit, verdict. */
export function describeOpenProbe(threads: number, p: OpenProbeWords): string {
  return (
    `open engine, ${plural(threads, 'thread')}, ${p.rateRps} req/s: ${(p.lateShare * 100).toFixed(2)}% late, ` +
    `send-lag p99 ${ms(p.sendLagP99Ms)}, p99 ${ms(p.p99Ms)} (limit ${ms(p.p99LimitMs)}) → ${verdictWords(p)}`
  );
}

/** One wrk2 probe as a line: rate, achieved against scheduled, p50, p99 against its limit, verdict. */
export function describeWrk2Probe(p: Wrk2ProbeWords): string {
  const share = p.scheduledRps > 0 ? ((p.achievedRps / p.scheduledRps) * 100).toFixed(1) : '0.0';
  return (
    `wrk2 -t1, ${p.rateRps} req/s: achieved ${Math.round(p.achievedRps)} req/s (${share}% of the ` +
    `${Math.round(p.scheduledRps)} it schedules), p50 ${ms(p.p50Ms)}, p99 ${ms(p.p99Ms)} ` +
    `(limit ${ms(p.p99LimitMs)}) → ${verdictWords(p)}`
  );
}

function ms(value: number): string {
  return `${round3(value)} ms`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function problemNotes(generator: GeneratorKind, problems: string[]): string[] {
  return problems.map((p) => `${generator} reported: ${p}`);
}

function cell(value: number, unit: string, passed: boolean): KpiCell {
  return { value, unit, status: passed ? 'pass' : 'fail' };
}

/** A figure without a goal: shown, never failed. */
function infoCell(value: number, unit: string): KpiCell {
  return { value, unit, status: 'pass' };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
