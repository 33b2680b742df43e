// Turns the effective run config into the ordered list of phases to run (pure; `loadlab run --dry-run` prints it).
import { UsageError } from '../errors.ts';
import { parseDurationSec } from '../report/units.ts';
import type { StageInput } from '../scenario/types.ts';
import type { LoadModel, Phase as EnginePhase } from '../engine/engine.ts';
import type { Arrivals } from '../report/model.ts';

export type { LoadModel };

/** A planned phase: the engine's, plus a scenario stage's own arrivals (which beat --arrivals). */
export interface Phase extends EnginePhase {
  arrivals?: Arrivals;
}

export interface LoadSpec {
  targetRps?: number;
  connections?: number;
  durationSec: number;
  warmupSec: number;
  stages?: StageInput[];
  /** Open phases' arrivals unless their stage names its own (--arrivals). */
  arrivals?: Arrivals;
}

const UNJUDGED = /^warm-?up$/i;

export function planPhases(spec: LoadSpec): Phase[] {
  if (spec.stages && spec.stages.length > 0) return spec.stages.map((stage) => phaseFromStage(stage, spec));
  const load = loadOf(spec.targetRps, spec.connections, 'run');
  const arrivals = load.model === 'open' && spec.arrivals ? { arrivals: spec.arrivals } : {};
  const phases: Phase[] = [];
  if (spec.warmupSec > 0)
    phases.push({ name: 'warmup', ...load, ...arrivals, durationSec: spec.warmupSec, judged: false });
  phases.push({ name: 'sustained', ...load, ...arrivals, durationSec: spec.durationSec, judged: true });
  return phases;
}

function phaseFromStage(stage: StageInput, spec: LoadSpec): Phase {
  const where = `stage "${stage.name}"`;
  const durationSec = parseDurationSec(stage.duration, `${where} duration`);
  const explicit = stage.rate !== undefined || stage.connections !== undefined;
  const load = explicit
    ? loadOf(stage.rate, stage.connections, where)
    : loadOf(spec.targetRps, spec.connections, where);
  const phase: Phase = { name: stage.name, ...load, durationSec, judged: stage.judged ?? !UNJUDGED.test(stage.name) };
  if (stage.fromRate !== undefined) {
    if (phase.model !== 'open') throw new UsageError(`${where}: fromRate needs an open-model stage (a rate)`);
    phase.fromRps = stage.fromRate;
  }
  if (stage.arrivals !== undefined && phase.model !== 'open')
    throw new UsageError(`${where}: arrivals needs an open-model stage (a rate)`);
  const arrivals = stage.arrivals ?? spec.arrivals;
  if (phase.model === 'open' && arrivals) phase.arrivals = arrivals;
  return phase;
}

function loadOf(
  targetRps: number | undefined,
  connections: number | undefined,
  where: string,
): Pick<Phase, 'model' | 'targetRps' | 'connections'> {
  if (targetRps !== undefined && connections !== undefined) {
    throw new UsageError(`${where}: give --rate (open model) or --connections (closed model), not both`);
  }
  if (targetRps !== undefined) return { model: 'open', targetRps };
  if (connections !== undefined) return { model: 'closed', connections };
  throw new UsageError(`${where}: give --rate R (open model) or --connections N (closed model)`);
}

/** One line per phase, for `--dry-run` and the summary's method line. */
export function describePlan(phases: Phase[]): string {
  return phases
    .map((p) => {
      const load =
        p.model === 'open'
          ? `${p.fromRps !== undefined ? `${p.fromRps}→` : ''}${p.targetRps} req/s (open${p.arrivals ? `, ${p.arrivals}` : ''})`
          : `${p.connections} connections (closed)`;
      return `${p.name}: ${load} for ${p.durationSec}s${p.judged ? '' : ' (not judged)'}`;
    })
    .join('\n');
}
