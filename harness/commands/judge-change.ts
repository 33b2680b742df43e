// After a level or `run`: compare with --baseline (compare.json + compare.md in the run's folder; exit 1 when a
// judged KPI is worse), then save it with --save-baseline. Options are checked before the run starts.
import { join } from 'node:path';
import { EXIT, type ExitCode } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { ParsedOptions } from '../run/args.ts';
import type { FinishedRun } from '../run/finish.ts';
import { renderCompareMarkdown } from '../report/compare-table.ts';
import { writeResultFiles } from '../report/write.ts';
import type { CompareJson } from '../report/compare-model.ts';
import {
  buildCompare,
  checkBaselineName,
  loadRunOrBaseline,
  parseTolerances,
  saveBaseline,
  type LoadedRun,
} from '../run/compare.ts';

export interface Judgement {
  /** Compares and saves as asked; the exit code is the run's, or 1 when a judged KPI is worse than the baseline. */
  after(finished: FinishedRun, io: CommandIO): ExitCode;
}

/** Checks --baseline, --save-baseline and --tolerance before the run, so a typo costs no run. */
export function planJudgement(options: ParsedOptions, outDir: string): Judgement {
  const tolerances = parseTolerances((options.tolerance as string[] | undefined) ?? []);
  const saveAs = options['save-baseline'] as string | undefined;
  if (saveAs !== undefined) checkBaselineName(saveAs, '--save-baseline');
  const baselineRef = options.baseline as string | undefined;
  const baseline = baselineRef !== undefined ? loadRunOrBaseline(baselineRef, outDir) : undefined;
  return {
    after(finished, io) {
      let code: ExitCode = finished.exitCode;
      if (baseline) {
        const b: LoadedRun = { run: finished.run, dir: finished.dir, source: finished.dir };
        const compare = buildCompare(baseline, b, { tolerances });
        writeCompare(finished.dir, compare);
        io.stderr.write(`\n${renderCompareMarkdown(compare)}\ncompare: ${join(finished.dir, 'compare.json')}\n`);
        if (!compare.passed) code = EXIT.failed;
      }
      if (saveAs !== undefined && finished.exitCode !== EXIT.passed) {
        io.stderr.write(`baseline not saved: the run failed its checks (a baseline must be a run that passed)\n`);
      } else if (saveAs !== undefined) {
        const dir = saveBaseline(finished.dir, saveAs, outDir);
        io.stderr.write(`baseline saved: ${dir} (commit it; later runs compare with --baseline ${saveAs})\n`);
      }
      return code;
    },
  };
}

export function writeCompare(dir: string, compare: CompareJson): void {
  writeResultFiles(dir, {
    'compare.json': `${JSON.stringify(compare, null, 2)}\n`,
    'compare.md': renderCompareMarkdown(compare),
  });
}
