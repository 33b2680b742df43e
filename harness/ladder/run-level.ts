// Runs one level end to end: start its deployment, (chaos), measure, judge, stop — everything started is stopped, also on failure.
import { withCleanup } from '../env/processes.ts';
import { EXIT, LoadlabError } from '../errors.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../engine/run-phases.ts';
import type { CheckReport } from '../report/model.ts';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { Scenario } from '../scenario/types.ts';
import { startDeployment, type DeploySpec, type StartedDeployment } from '../env/deploy.ts';
import { measureLevel, type LevelRun, type Measured } from './level.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { createStandardMix } from '../scenario/standard-mix.ts';
import type { QueueDepth } from './queue.ts';

/** What a level run can see: the command's streams, the shared series, and the levels already run in this invocation. */
export interface LevelContext {
  io: CommandIO;
  series: SeriesRow[];
  previous: Map<string, LevelRun>;
  /** Level 3's queue depth per series row, for series.csv. */
  queueByRow: Map<number, QueueDepth>;
}

export interface Judgment {
  checks?: CheckReport[];
  extras?: ExtraKpi[];
  notes?: string[];
}

export interface LevelDefinition {
  key: string;
  title: string;
  deploy(s: LevelSettings): DeploySpec;
  scenario?: (dep: StartedDeployment, s: LevelSettings) => Promise<Scenario> | Scenario;
  openSec?(s: LevelSettings): number;
  duringOpen?(dep: StartedDeployment, s: LevelSettings): Promise<unknown>;
  judge?(measured: Measured, dep: StartedDeployment, s: LevelSettings, ctx: LevelContext): Promise<Judgment> | Judgment;
  /** A level whose phases differ from the shared flow runs them itself (inside the same cleanup). */
  run?(s: LevelSettings, ctx: LevelContext): Promise<LevelRun>;
}

export function runLevel(def: LevelDefinition, s: LevelSettings, ctx: LevelContext): Promise<LevelRun> {
  return withCleanup(async () => {
    if (def.run) return def.run(s, ctx);
    ctx.io.stderr.write(`${def.key}: starting ${s.target ? `against ${s.target}` : 'its deployment'}…\n`);
    const dep = await startDeployment(s, def.deploy(s));
    ctx.io.stderr.write(`${def.key}: ${dep.description} at ${dep.url}${dep.sutPids.length ? ` (pids ${dep.sutPids.join(', ')})` : ''}\n`);
    if (s.chaos === 'fail') throw new LoadlabError('LOADLAB_INTERNAL', EXIT.internal, `${def.key}: --chaos fail: failing on purpose after the deployment started`);
    const scenario = def.scenario ? await def.scenario(dep, s) : createStandardMix();
    const measured = await measureLevel(dep, s, {
      key: def.key,
      scenario,
      series: ctx.series,
      io: ctx.io,
      ...(def.openSec ? { openSec: def.openSec(s) } : {}),
      ...(def.duringOpen ? { duringOpen: () => def.duringOpen!(dep, s) } : {}),
    });
    const judged = def.judge ? await def.judge(measured, dep, s, ctx) : {};
    await dep.stop();
    return { key: def.key, title: def.title, deployment: dep.description, measured, checks: judged.checks ?? [], extras: judged.extras ?? [], notes: judged.notes ?? [] };
  });
}
