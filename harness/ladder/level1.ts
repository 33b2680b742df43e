// Level 1: N cluster workers, cache off — speed-up over level 0 and efficiency, with the cores each side really had.
import { availableParallelism } from 'node:os';
import type { ScalingFigures } from '../report/figures.ts';
import type { LevelDefinition } from './run-level.ts';

/** Speed-up targets: more workers must help at all, and keep at least half of linear scaling. */
export const SCALING_TARGETS = { speedUp: 1, efficiencyPct: 50 } as const;

export const LEVEL1: LevelDefinition = {
  key: 'level1',
  deploy: (s) => ({ workers: s.workers, needRedis: false, env: { CACHE: 'off' } }),
  judge: (measured, _dep, s, ctx) => {
    const level0Rps = ctx.previous.get('level0')?.measured.closed.throughputRps;
    return judgeScaling(measured.closed.throughputRps, level0Rps, s.workers, availableParallelism());
  },
};

/** Speed-up and efficiency (pure); both null without a level-0 run in the same invocation. */
export function judgeScaling(
  throughputRps: number,
  level0Rps: number | undefined,
  workers: number,
  cores: number,
): ScalingFigures {
  const base = {
    kind: 'scaling',
    workers,
    cores,
    speedUpTarget: SCALING_TARGETS.speedUp,
    efficiencyTargetPct: SCALING_TARGETS.efficiencyPct,
  } as const;
  if (level0Rps === undefined) return { ...base, speedUp: null, efficiencyPct: null };
  const speedUp = throughputRps / level0Rps;
  const efficiencyPct = (speedUp / workers) * 100;
  return { ...base, speedUp: round2(speedUp), efficiencyPct: round2(efficiencyPct) };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
