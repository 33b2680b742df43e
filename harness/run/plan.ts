// Turns the effective run config into the ordered list of phases to run (pure; `loadlab run --dry-run` prints it).
import { UsageError } from '../errors.ts';
import { parseDurationSec } from '../report/units.ts';
import type { StageInput } from '../scenario/types.ts';
import type { LoadModel, Phase } from '../engine/engine.ts';

export type { LoadModel, Phase };

export interface LoadSpec {
  targetRps?: number;
  connections?: number;
  durationSec: number;
  warmupSec: number;
  stages?: StageInput[];
}

const UNJUDGED = /^warm-?up$/i;

export function planPhases(spec: LoadSpec): Phase[] {
  if (spec.stages && spec.stages.length > 0) return spec.stages.map((stage) => phaseFromStage(stage, spec));
  const load = loadOf(spec.targetRps, spec.connections, 'run');
  const phases: Phase[] = [];
  if (spec.warmupSec > 0) phases.push({ name: 'warmup', ...load, durationSec: spec.warmupSec, judged: false });
  phases.push({ name: 'sustained', ...load, durationSec: spec.durationSec, judged: true });
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
          ? `${p.fromRps !== undefined ? `${p.fromRps}→` : ''}${p.targetRps} req/s (open)`
          : `${p.connections} connections (closed)`;
      return `${p.name}: ${load} for ${p.durationSec}s${p.judged ? '' : ' (not judged)'}`;
    })
    .join('\n');
}
