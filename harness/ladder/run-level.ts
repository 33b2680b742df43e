// Runs one level end to end: start its deployment, (chaos), measure, judge, stop — everything started is stopped, also on failure.
import { withCleanup } from '../env/processes.ts';
import { ChaosError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../report/model.ts';
import type { LevelFigures } from '../report/figures.ts';
import { describePids, startDeployment, type DeploySpec, type StartedDeployment } from '../env/deploy.ts';
import {
  measureLevel,
  medianCore,
  NO_TURN,
  type LevelHooks,
  type LevelRun,
  type Measured,
  type Turn,
} from './level.ts';
import { sumSideRequests } from '../run/finish.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import type { QueueDepth } from './queue.ts';

/** What a level run can see: the command's streams, the shared series, and the levels already run in this invocation. */
export interface LevelContext {
  io: CommandIO;
  series: SeriesRow[];
  previous: Map<string, LevelRun>;
  /** Level 3's queue depth per series row, for series.csv. */
  queueByRow: Map<number, QueueDepth>;
  /** ab: waits for this side's turn before each deployment, warm-up, trial and stop. */
  turn?: Turn;
}

export interface LevelDefinition {
  key: string;
  deploy(s: LevelSettings): DeploySpec;
  /** The level's hooks into the shared flow, made once its deployment is up (Level 3 logs in and starts a sampler). */
  prepare?(dep: StartedDeployment, s: LevelSettings, ctx: LevelContext): Promise<LevelHooks> | LevelHooks;
  openSec?(s: LevelSettings): number;
  /** Typed figures and verdicts, no prose: report/words.ts words them. */
  judge?(
    measured: Measured,
    dep: StartedDeployment,
    s: LevelSettings,
    ctx: LevelContext,
  ): Promise<LevelFigures> | LevelFigures;
}

/**
 * Runs a level: one deployment measured --trials times after one warm-up, or with --fresh one deployment per trial;
 * each trial is judged as if it had run alone, and the level's figures are the last trial's.
 */
export async function runLevel(def: LevelDefinition, s: LevelSettings, ctx: LevelContext): Promise<LevelRun> {
  if (!s.fresh || s.trials <= 1) return runDeployment(def, s, ctx, 1, s.trials);
  const parts: LevelRun[] = [];
  for (let trial = 1; trial <= s.trials; trial++) parts.push(await runDeployment(def, s, ctx, trial, 1));
  return mergeFreshTrials(parts);
}

function runDeployment(
  def: LevelDefinition,
  s: LevelSettings,
  ctx: LevelContext,
  firstTrial: number,
  trials: number,
): Promise<LevelRun> {
  const turn = ctx.turn ?? NO_TURN;
  return withCleanup(async () => {
    const dep = await turn(`deploy ${firstTrial}`, async () => {
      ctx.io.stderr.write(`${def.key}: starting ${s.target ? `against ${s.target}` : 'its deployment'}…\n`);
      const started = await startDeployment(s, def.deploy(s));
      ctx.io.stderr.write(`${def.key}: ${started.description} at ${started.url}${describePids(started)}\n`);
      return started;
    });
    if (s.chaos === 'fail')
      throw new ChaosError(`${def.key}: --chaos fail: failing on purpose after the deployment started`);
    const hooks = def.prepare ? await def.prepare(dep, s, ctx) : {};
    const measured = await measureLevel(dep, s, {
      ...hooks,
      key: def.key,
      series: ctx.series,
      io: ctx.io,
      trials,
      firstTrial,
      totalTrials: s.trials,
      turn: (step, fn) => turn(firstTrial > 1 ? `${step} (deployment ${firstTrial})` : step, fn),
      ...(def.openSec ? { openSec: def.openSec(s) } : {}),
    });
    const judged: LevelRun['trials'] = [];
    for (const trial of measured.trials) {
      const view: Measured = { ...measured, ...trial, trials: [trial] };
      const figures = def.judge ? await def.judge(view, dep, s, ctx) : undefined;
      judged.push({ measured: trial, ...(figures ? { figures } : {}) });
    }
    const figures = judged[judged.length - 1]?.figures;
    await turn(`stop ${firstTrial}`, () => dep.stop());
    const sutLog = dep.suts.flatMap((sut) =>
      sut.logs().map((line) => (dep.suts.length > 1 ? `[${sut.nodeId}] ${line}` : line)),
    );
    return {
      key: def.key,
      deployment: dep.description,
      measured,
      trials: judged,
      ...(figures ? { figures } : {}),
      ...(sutLog.length ? { sutLog } : {}),
    };
  });
}

/** --fresh: one level run per trial, merged into one (every phase, each trial's figures, the cores' medians). */
function mergeFreshTrials(parts: LevelRun[]): LevelRun {
  const last = parts[parts.length - 1]!;
  const trials = parts.flatMap((p) => p.trials);
  const sides = parts.flatMap((p) => (p.measured.side ? [p.measured.side] : []));
  const side = sumSideRequests(sides);
  const sutLog = parts.flatMap((p, i) => [`--- trial ${i + 1} ---`, ...(p.sutLog ?? [])]);
  return {
    ...last,
    measured: {
      ...last.measured,
      phases: parts.flatMap((p) => p.measured.phases),
      trials: trials.map((t) => t.measured),
      core: medianCore(trials.map((t) => t.measured.core)),
      ...(side.verification
        ? { side: { verification: side.verification, ...(side.probes ? { probes: side.probes } : {}) } }
        : {}),
    },
    trials,
    sutLog,
  };
}
