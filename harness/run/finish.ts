// Finishing a run, the same for every command: assemble run.json, validate it against its schema, write the
// result files, print the summary on stderr (and run.json alone on stdout with --json); the checks set the exit code.
import { redactDeep, redactText } from '../../lib/redact.ts';
import type { CommandIO } from '../io.ts';
import { EXIT, InternalError, type ExitCode } from '../errors.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { collectEnvironment, createRunId } from '../report/environment.ts';
import type {
  CalibrationReport,
  CheckReport,
  KpiRow,
  RunJson,
  SeriesRow,
  SideRequests,
  TrialReport,
} from '../report/model.ts';
import { buildRunJson } from '../report/run-json.ts';
import { withOverload } from '../report/overload.ts';
import { renderSeriesCsv } from '../report/series.ts';
import { renderSummary } from '../report/summary.ts';
import { validateRunJson } from '../report/validate.ts';
import { writeRun } from '../report/write.ts';
import { judgeAnswers } from './judge.ts';

export interface FinishInputs {
  kind: string;
  startedAt: Date;
  /** The effective config, secrets already redacted. */
  config: Record<string, unknown>;
  phases: PhaseResult[];
  /** The command's own checks; a wrong answer in any phase adds a failed "right answers" check (judgeAnswers). */
  checks: CheckReport[];
  kpiRows: KpiRow[];
  /** Every trial's figures (what compare reads). */
  trials?: TrialReport[];
  calibration?: CalibrationReport;
  /** Requests besides the phases' that went to the target (the session's sideRequests()). */
  verification?: SideRequests;
  probes?: SideRequests;
  series: SeriesRow[];
  /** Replaces the plain series.csv (e.g. with Level 3's queue columns). */
  seriesCsv?: string;
  outDir: string;
  json: boolean;
  /** Extra result files, and what stdout shows without --json, rendered from the finished run.json. */
  render?: (run: RunJson) => { files?: Record<string, string>; stdout?: string };
}

/** Sums several sessions' side requests (a ladder runs one session per level) into run.json's two fields. */
export function sumSideRequests(parts: ({ verification: SideRequests; probes?: SideRequests } | undefined)[]): {
  verification?: SideRequests;
  probes?: SideRequests;
} {
  const present = parts.filter((p) => p !== undefined);
  const verification = sum(present.map((p) => p.verification));
  const probes = sum(present.flatMap((p) => (p.probes ? [p.probes] : [])));
  return { ...(verification ? { verification } : {}), ...(probes ? { probes } : {}) };
}

function sum(list: SideRequests[]): SideRequests | undefined {
  if (list.length === 0) return undefined;
  const total: Required<SideRequests> = { requests: 0, byStatus: {}, byError: {} };
  for (const part of list) {
    total.requests += part.requests;
    for (const [k, v] of Object.entries(part.byStatus)) total.byStatus[k] = (total.byStatus[k] ?? 0) + v;
    for (const [k, v] of Object.entries(part.byError ?? {})) total.byError[k] = (total.byError[k] ?? 0) + v;
  }
  return total;
}

export interface FinishedRun {
  run: RunJson;
  dir: string;
  exitCode: ExitCode;
}

export function finishRun(i: FinishInputs, io: CommandIO, finishedAt = new Date()): FinishedRun {
  // Each phase says what the target did with its load (shed, limited, queued, failed, none).
  const phases = withOverload(
    i.phases.map((p) => p.report),
    i.series,
  );
  // The config arrives redacted; this also catches a secret in any other string (a check's detail, an error).
  const run = redactDeep(
    buildRunJson({
      id: createRunId(i.kind, i.startedAt),
      kind: i.kind,
      startedAt: i.startedAt,
      finishedAt,
      environment: collectEnvironment(),
      config: i.config,
      ...(i.verification ? { verification: i.verification } : {}),
      ...(i.probes ? { probes: i.probes } : {}),
      phases,
      ...(i.trials ? { trials: i.trials } : {}),
      ...(i.calibration ? { calibration: i.calibration } : {}),
      checks: [...i.checks, ...judgeAnswers(phases)],
      kpiRows: i.kpiRows,
    }),
  );
  const problems = validateRunJson(run);
  if (problems.length) throw new InternalError(`run.json does not match its schema: ${problems.join('; ')}`);
  const summary = renderSummary(run);
  const rendered = i.render?.(run) ?? {};
  const written = writeRun(i.outDir, run, {
    ...rendered.files,
    'series.csv': i.seriesCsv ?? renderSeriesCsv(i.series),
    'summary.txt': `${summary}\n`,
  });
  io.stderr.write(redactText(`\n${summary}\n\nresults: ${written.dir}\n${rendered.stdout !== undefined ? '\n' : ''}`));
  if (i.json) io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else if (rendered.stdout !== undefined) io.stdout.write(redactText(rendered.stdout));
  return { run, dir: written.dir, exitCode: run.passed ? EXIT.passed : EXIT.failed };
}
