// Runs one level end to end: start its deployment, (chaos), measure, judge, stop — everything started is stopped, also on failure.
import { withCleanup } from '../env/processes.ts';
import { ChaosError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../report/model.ts';
import type { LevelFigures } from '../report/figures.ts';
import { describePids, startDeployment, type DeploySpec, type StartedDeployment } from '../env/deploy.ts';
import { measureLevel, type LevelHooks, type LevelRun, type Measured } from './level.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import type { QueueDepth } from './queue.ts';

/** What a level run can see: the command's streams, the shared series, and the levels already run in this invocation. */
export interface LevelContext {
  io: CommandIO;
  series: SeriesRow[];
  previous: Map<string, LevelRun>;
  /** Level 3's queue depth per series row, for series.csv. */
  queueByRow: Map<number, QueueDepth>;
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

export function runLevel(def: LevelDefinition, s: LevelSettings, ctx: LevelContext): Promise<LevelRun> {
  return withCleanup(async () => {
    ctx.io.stderr.write(`${def.key}: starting ${s.target ? `against ${s.target}` : 'its deployment'}…\n`);
    const dep = await startDeployment(s, def.deploy(s));
    ctx.io.stderr.write(`${def.key}: ${dep.description} at ${dep.url}${describePids(dep)}\n`);
    if (s.chaos === 'fail')
      throw new ChaosError(`${def.key}: --chaos fail: failing on purpose after the deployment started`);
    const hooks = def.prepare ? await def.prepare(dep, s, ctx) : {};
    const measured = await measureLevel(dep, s, {
      ...hooks,
      key: def.key,
      series: ctx.series,
      io: ctx.io,
      ...(def.openSec ? { openSec: def.openSec(s) } : {}),
    });
    const figures = def.judge ? await def.judge(measured, dep, s, ctx) : undefined;
    await dep.stop();
    const sutLog = dep.suts.flatMap((sut) =>
      sut.logs().map((line) => (dep.suts.length > 1 ? `[${sut.nodeId}] ${line}` : line)),
    );
    return {
      key: def.key,
      deployment: dep.description,
      measured,
      ...(figures ? { figures } : {}),
      ...(sutLog.length ? { sutLog } : {}),
    };
  });
}
