// Judging a change: two runs' trials (a run folder, or a saved baseline), their calibrations and a noise floor in,
// compare.json out; baselines saved and found; the noise floor of a run with several trials (files in, files out).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { createRunId } from '../report/environment.ts';
import type { CompareJson, NoiseJson, NoiseMetric } from '../report/compare-model.ts';
import type { RunJson, TrialMetric } from '../report/model.ts';
import { validateCompareJson } from '../report/validate.ts';
import { writeResultFiles } from '../report/write.ts';
import { calibrationRatio, sameMachine } from './calibration.ts';
import {
  defaultTolerance,
  detectableChange,
  FAMILY_ALPHA,
  judgeMetrics,
  measureNoise,
  trialsNeeded,
  type MetricSamples,
  type NoiseFloor,
  type Scale,
} from '../stats/verdict.ts';

/** The KPIs that decide the exit code, per level (or run), and their share of the family's α. */
const JUDGED_WEIGHTS: Record<string, number> = { throughput: 2, p50: 1, p95: 1, p99: 1, error_rate: 1 };

/**
 * Run-to-run spread when no noise.json is given: `loadlab noise level0 --quick --trials 10` on the project's 2-core
 * machine (2026-12-08: throughput 13.6%, p50 19.3%, p95 17.4%, p99 67.2%, endpoints' p50 19–31% and p99 25–103%),
 * as standard deviations of ln values; df 9 (ten trials). A noise.json measured where you run replaces them.
 */
export const BUILT_IN_NOISE: Record<string, NoiseFloor> = {
  throughput: { sd: 0.128, df: 9 },
  p50: { sd: 0.177, df: 9 },
  p95: { sd: 0.161, df: 9 },
  p99: { sd: 0.514, df: 9 },
  error_rate: { sd: 0.05, df: 9 },
  availability: { sd: 0.05, df: 9 },
  'endpoint p50': { sd: 0.22, df: 9 },
  'endpoint p99': { sd: 0.4, df: 9 },
  other: { sd: 0.4, df: 9 },
};

export const VERDICT_RULE =
  'Each KPI: the median of its trials per side with a 95% bootstrap interval; the change is B over A (ratio of ' +
  'geometric means; points for a rate in %) with a 95% t-interval whose variance pools both sides with the noise ' +
  "floor's measurement of the same spread. worse/better: the one-sided test is significant after a weighted Holm " +
  'correction across the judged KPIs (throughput weight 2, p50, p95, p99, error rate 1; family-wise α 5% per ' +
  'direction, so an A/A comparison calls anything worse at most 5% of the time) and the change is beyond the ' +
  "KPI's tolerance (default: one run-to-run standard deviation of the noise floor, at least 2%). same: the 90% " +
  'interval lies within ± the tolerance. unknown: the interval is too wide to decide — collect more trials. ' +
  'Per-endpoint and level-specific KPIs are told with their own correction, not judged.';

export interface LoadedRun {
  run: RunJson;
  dir: string;
  /** "results/baselines/NAME" or the run folder given. */
  source: string;
  noise?: NoiseJson;
}

/** A run folder (holding run.json), else a baseline of that name under `<out>/baselines/`. */
export function loadRunOrBaseline(ref: string, outDir: string): LoadedRun {
  const candidates = [ref, join(outDir, 'baselines', ref)];
  for (const dir of candidates) {
    const file = join(dir, 'run.json');
    if (!existsSync(file)) continue;
    let run: RunJson;
    try {
      run = JSON.parse(readFileSync(file, 'utf8')) as RunJson;
    } catch (error) {
      throw new UsageError(`${file}: not readable as JSON (${(error as Error).message})`);
    }
    if (run?.schemaVersion !== 1 || !Array.isArray(run.phases))
      throw new UsageError(`${file}: not a loadlab run.json (schemaVersion 1)`);
    const noiseFile = join(dir, 'noise.json');
    const noise = existsSync(noiseFile) ? (JSON.parse(readFileSync(noiseFile, 'utf8')) as NoiseJson) : undefined;
    return { run, dir, source: dir, ...(noise ? { noise } : {}) };
  }
  throw new UsageError(
    `"${ref}" is neither a run folder with run.json nor a baseline (looked in ${candidates.map((c) => resolve(c)).join(' and ')})`,
  );
}

export interface CompareOptions {
  /** KPI (name without its level, or the full "level0 p99") → tolerance in % (points for a rate in %). */
  tolerances?: Record<string, number>;
  /** A noise floor to use instead of A's or B's own noise.json. */
  noise?: NoiseJson;
  createdAt?: Date;
  /** ab: A's and B's trials ran interleaved in one session (else: separate runs, e.g. a baseline). */
  interleaved?: boolean;
}

/** B judged against A, KPI by KPI; validated against compare.schema.json. */
export function buildCompare(a: LoadedRun, b: LoadedRun, o: CompareOptions = {}): CompareJson {
  const trialsA = a.run.trials ?? [];
  const trialsB = b.run.trials ?? [];
  if (!trialsA.length || !trialsB.length)
    throw new UsageError(
      `${(trialsA.length ? b : a).source}: its run.json has no trials (made before loadlab recorded them, or by a command that has none)`,
    );
  const calA = a.run.calibration ?? null;
  const calB = b.run.calibration ?? null;
  const crossMachine = isCrossMachine(a.run, b.run);
  const ratio = calA && calB && calA.httpRps > 0 ? round(calibrationRatio(calA, calB), 4) : null;
  const normalized = crossMachine && ratio !== null;
  const noise = o.noise ?? a.noise ?? b.noise;
  const samples = collectSamples(trialsA, trialsB).map(({ key, name, meta, a: va, b: vb }) => {
    const tolerance = o.tolerances?.[key] ?? o.tolerances?.[name];
    const sample: MetricSamples = {
      metric: key,
      unit: meta.unit,
      direction: meta.better === 'higher' ? 'higher-better' : 'lower-better',
      scale: scaleOf(meta.unit),
      a: va,
      b: normalized ? vb.map(normalizer(meta.unit, ratio)) : vb,
      noise: noiseFor(noise, key, name),
      judged: JUDGED_WEIGHTS[name] !== undefined,
      weight: JUDGED_WEIGHTS[name] ?? 1,
      ...(tolerance !== undefined ? { tolerance } : {}),
    };
    return sample;
  });
  const verdicts = judgeMetrics(samples);
  verdicts.sort((x, y) => Number(y.judged) - Number(x.judged));
  const createdAt = o.createdAt ?? new Date();
  const compare: CompareJson = {
    schemaVersion: 1,
    kind: 'compare',
    id: createRunId('compare', createdAt),
    createdAt: createdAt.toISOString(),
    a: side(a, trialsA),
    b: side(b, trialsB),
    trials: { a: trialCount(trialsA), b: trialCount(trialsB) },
    calibration: { a: calA, b: calB, crossMachine, ratio, normalized },
    noise: noise
      ? { source: `noise.json of ${noise.runId}`, trials: noise.trials }
      : { source: 'built-in (ten trials of level0 --quick on a 2-core machine)', trials: null },
    method:
      VERDICT_RULE + (normalized ? ` Cross-machine: B's figures normalized by the calibration ratio ${ratio}.` : ''),
    verdicts,
    warnings: [...compareWarnings(a.run, b.run, ratio, crossMachine), ...(o.interleaved ? [] : [SEPARATE_RUNS])],
    passed: !verdicts.some((v) => v.judged && v.verdict === 'worse'),
  };
  const problems = validateCompareJson(compare);
  if (problems.length) throw new Error(`compare.json does not match its schema: ${problems.join('; ')}`);
  return compare;
}

/**
 * Separate runs (a baseline, `compare`): each side's trials ran in one session, so their spread is the spread within
 * a run. Between runs the machine and the deployment drift further: measured here, the same build's `level0
 * --quick` throughput was 1,574–3,079 req/s (medians of 3 trials) over one hour, and a same-build baseline from 53
 * minutes earlier was called 28% worse (p 0.002). ab's interleaved trials share that drift; separate runs do not.
 */
export const SEPARATE_RUNS =
  "A and B are separate runs: the trials measure each run's own spread, not the drift between runs (the machine's " +
  "load, the database's state), which on a shared machine can be larger; prefer loadlab ab (interleaved trials), or a " +
  'dedicated machine, or a wider --tolerance before failing a pipeline on this';

/** Lowest requests a trial's latency phase may have before its p99 is called coarse (p99 then rests on < 10). */
const FEW_FOR_P99 = 1_000;
/** A same-machine calibration ratio outside this band: the machine was busier during one of the runs. */
const BUSY_RATIO = [0.8, 1.25] as const;

/** What may make the verdicts the machine's or the generator's rather than the change's: said beside them. */
function compareWarnings(a: RunJson, b: RunJson, ratio: number | null, crossMachine: boolean): string[] {
  const warnings: string[] = [];
  for (const [label, run] of [
    ['A', a],
    ['B', b],
  ] as const) {
    const judged = run.phases.filter((p) => p.judged);
    const saturated = judged.filter((p) => p.generatorSaturated);
    if (saturated.length)
      warnings.push(
        `${label}: the load generator was saturated in ${saturated.length} of ${judged.length} judged phases (${saturated[0]!.saturationReason ?? 'see run.json'}): latency verdicts may measure the generator as much as the target`,
      );
    const open = judged.filter((p) => p.model === 'open');
    const fewest = Math.min(...open.map((p) => p.requests.completed));
    if (open.length && fewest < FEW_FOR_P99)
      warnings.push(
        `${label}: a latency phase answered only ${fewest} requests, so its p99 rests on its ${Math.max(1, Math.floor(fewest / 100))} slowest: p99 verdicts are coarse (longer phases narrow them)`,
      );
  }
  if (!crossMachine && ratio !== null && (ratio < BUSY_RATIO[0] || ratio > BUSY_RATIO[1]))
    warnings.push(
      `the same machine's reference throughput differed by ${ratio}× between the runs: it was busier during one of them, which moves every figure`,
    );
  return warnings;
}

function side(r: LoadedRun, trials: RunJson['trials'] & object): CompareJson['a'] {
  return {
    id: r.run.id,
    source: r.source,
    kind: r.run.kind,
    gitCommit: r.run.environment?.gitCommit ?? null,
    trials: trialCount(trials),
  };
}

function trialCount(trials: { trial: number }[]): number {
  return new Set(trials.map((t) => t.trial)).size;
}

/** Different machines: by calibration's identity when both have one, else by run.json's environment. */
function isCrossMachine(a: RunJson, b: RunJson): boolean {
  if (a.calibration && b.calibration) return !sameMachine(a.calibration.machine, b.calibration.machine);
  return a.environment.cpuModel !== b.environment.cpuModel || a.environment.cpus !== b.environment.cpus;
}

/** Throughput scales with the machine's speed, latency inversely: B's figures as if B ran on A's machine. */
function normalizer(unit: string, ratio: number): (v: number) => number {
  if (unit === 'req/s' || unit === 'jobs/s') return (v) => v / ratio;
  if (unit === 'ms' || unit === 's') return (v) => v * ratio;
  return (v) => v;
}

/** A rate already in % compares in points; everything else (throughput, latency) as a ratio. */
function scaleOf(unit: string): Scale {
  return unit === '%' ? 'linear' : 'log';
}

interface Collected {
  key: string;
  name: string;
  meta: Pick<TrialMetric, 'unit' | 'better'>;
  a: number[];
  b: number[];
}

type Trials = NonNullable<RunJson['trials']>;

/** Each KPI with a direction and a value, as "<group> <name>" → its trials' values in order. */
function metricsByKey(trials: Trials): Map<string, { name: string; meta: Collected['meta']; values: number[] }> {
  const map = new Map<string, { name: string; meta: Collected['meta']; values: number[] }>();
  for (const t of trials)
    for (const m of t.metrics) {
      if (m.value === null || m.better === null || !Number.isFinite(m.value)) continue;
      const key = `${t.group} ${m.name}`;
      const entry = map.get(key) ?? { name: m.name, meta: { unit: m.unit, better: m.better }, values: [] };
      entry.values.push(m.value);
      map.set(key, entry);
    }
  return map;
}

/** Every KPI both sides measured with a direction, as "<group> <name>" with its trials' values. */
function collectSamples(a: Trials, b: Trials): Collected[] {
  const mapA = metricsByKey(a);
  const mapB = metricsByKey(b);
  const out: Collected[] = [];
  for (const [key, ea] of mapA) {
    const eb = mapB.get(key);
    if (eb && eb.meta.unit === ea.meta.unit)
      out.push({ key, name: ea.name, meta: ea.meta, a: ea.values, b: eb.values });
  }
  return out;
}

/** A KPI's noise floor: the noise.json's, else the built-in spread of a core KPI by name, an endpoint's p50/p99, or "other". */
function noiseFor(noise: NoiseJson | undefined, key: string, name: string): NoiseFloor {
  const measured = noise?.metrics.find((m) => m.metric === key);
  if (measured && measured.df > 0) return { sd: measured.sd, df: measured.df };
  const kind = BUILT_IN_NOISE[name]
    ? name
    : / p50$/.test(name)
      ? 'endpoint p50'
      : / p99$/.test(name)
        ? 'endpoint p99'
        : 'other';
  return BUILT_IN_NOISE[kind]!;
}

/**
 * The noise floor of a run with several trials: each KPI's spread, its tolerance (--tolerance, else the default
 * from the spread), the changes 3, 5 and 10 trials detect, and the trials a side that tolerance needs.
 */
export function buildNoise(run: RunJson, tolerances: Record<string, number> = {}): NoiseJson {
  const trials = run.trials ?? [];
  const count = trialCount(trials);
  if (count < 3) throw new UsageError(`loadlab noise needs at least 3 trials (this run has ${count})`);
  const weights = Object.values(JUDGED_WEIGHTS).reduce((a, b) => a + b, 0);
  const metrics: NoiseMetric[] = [...metricsByKey(trials)].map(([key, e]) => {
    const scale = scaleOf(e.meta.unit);
    const floor = measureNoise(scale, e.values);
    // α of this KPI at the first step of the judged family (one level): weight / total of 5%.
    const alpha = (FAMILY_ALPHA * (JUDGED_WEIGHTS[e.name] ?? 1)) / weights;
    const tolerance = tolerances[key] ?? tolerances[e.name] ?? defaultTolerance(scale, floor);
    return {
      metric: key,
      unit: e.meta.unit,
      scale,
      sd: floor.sd,
      df: floor.df,
      spreadPct: scale === 'log' ? round(100 * Math.expm1(floor.sd), 2) : floor.sd,
      tolerancePct: tolerance,
      detectable: {
        '3': detectableChange(scale, floor, 3, alpha),
        '5': detectableChange(scale, floor, 5, alpha),
        '10': detectableChange(scale, floor, 10, alpha),
      },
      trialsForTolerance: floor.sd > 0 ? trialsNeeded(scale, floor, tolerance, alpha) : 2,
    };
  });
  return {
    schemaVersion: 1,
    kind: 'noise',
    runId: run.id,
    trials: count,
    calibration: run.calibration ?? null,
    metrics,
  };
}

/** A baseline name is one folder under baselines/: letters, digits, ".", "_" or "-". */
export function checkBaselineName(name: string, option: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new UsageError(`${option}: expected letters, digits, ".", "_" or "-" (at most 64), got "${name}"`);
}

/** Copies a run (run.json with its trials and calibration, kpi.md, summary, noise.json) to `<out>/baselines/NAME/`. */
export function saveBaseline(runDir: string, name: string, outDir: string, savedAt = new Date()): string {
  checkBaselineName(name, '--name');
  const loaded = loadRunOrBaseline(runDir, outDir);
  if (!loaded.run.trials?.length)
    throw new UsageError(`${runDir}: its run.json has no trials, so nothing could be compared with it`);
  if (!loaded.run.passed)
    throw new UsageError(`${runDir}: the run failed its checks (passed: false); a baseline must be a run that passed`);
  const dir = join(outDir, 'baselines', name);
  const copies: Record<string, string> = {};
  for (const file of ['run.json', 'kpi.md', 'summary.txt', 'noise.json']) {
    const from = join(loaded.dir, file);
    if (existsSync(from) && statSync(from).isFile()) copies[file] = readFileSync(from, 'utf8');
  }
  const meta = {
    name,
    savedAt: savedAt.toISOString(),
    from: loaded.run.id,
    kind: loaded.run.kind,
    gitCommit: loaded.run.environment.gitCommit,
    trials: trialCount(loaded.run.trials),
    environment: loaded.run.environment,
    calibration: loaded.run.calibration ?? null,
  };
  writeResultFiles(dir, { ...copies, 'baseline.json': `${JSON.stringify(meta, null, 2)}\n` });
  return dir;
}

/** `--tolerance p99=15%` (repeatable) → { p99: 15 }. */
export function parseTolerances(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^(.+?)=([0-9]*\.?[0-9]+)%?$/.exec(item.trim());
    if (!m || !(Number(m[2]) > 0)) throw new UsageError(`--tolerance: expected KPI=PCT such as p99=15%, got "${item}"`);
    out[m[1]!.trim()] = Number(m[2]);
  }
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
