// Level 1: N cluster workers, cache off — speed-up over level 0 and efficiency, with the cores each side really had.
import { availableParallelism } from 'node:os';
import type { ExtraKpi } from '../report/kpi-table.ts';
import type { LevelRun } from './level.ts';
import type { LevelDefinition } from './run-level.ts';

/** Speed-up targets: more workers must help at all, and keep at least half of linear scaling. */
export const SCALING_TARGETS = { speedUp: 1, efficiencyPct: 50 } as const;

export const LEVEL1: LevelDefinition = {
  key: 'level1',
  title: 'Level 1',
  deploy: (s) => ({ workers: s.workers, needRedis: false, env: { CACHE: 'off' } }),
  judge: (measured, _dep, s, ctx) => judgeScaling(measured.closed.throughputRps, ctx.previous.get('level0'), s.workers, availableParallelism()),
};

/** Speed-up and efficiency rows (pure); without a level-0 run in the same invocation they say so. */
export function judgeScaling(throughputRps: number, level0: LevelRun | undefined, workers: number, cores: number): { extras: ExtraKpi[]; notes: string[] } {
  const cpuNote = `Level 1 ran ${workers} SUT worker(s) on ${cores} core(s) shared with the load generator (one Node process, one core at most) and PostgreSQL: the SUT never had ${workers} core(s) to itself, so the speed-up is a floor, not the SUT's scaling.`;
  if (!level0) return { extras: [{ metric: 'Speed-up vs Level 0', target: `> ${SCALING_TARGETS.speedUp}×`, value: null, unit: '×', status: 'fail' }], notes: ['Level 1: no Level 0 run in this invocation, so no speed-up.', cpuNote] };
  const speedUp = throughputRps / level0.measured.closed.throughputRps;
  const efficiencyPct = (speedUp / workers) * 100;
  return {
    extras: [
      { metric: 'Speed-up vs Level 0', target: { op: '>', value: SCALING_TARGETS.speedUp, unit: '×' }, value: round2(speedUp), unit: '×' },
      { metric: 'Scaling efficiency (speed-up ÷ workers)', target: { op: '>=', value: SCALING_TARGETS.efficiencyPct, unit: '%' }, value: round2(efficiencyPct), unit: '%' },
    ],
    notes: [cpuNote],
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
