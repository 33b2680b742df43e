// Level 1 in words: the speed-up and efficiency rows, and the note on the cores the SUT really had.
import type { ScalingFigures } from '../figures.ts';
import type { Worded } from './worded.ts';

export function wordScaling(f: ScalingFigures): Worded {
  const cpuNote =
    `Level 1 ran ${f.workers} SUT worker(s) on ${f.cores} core(s) shared with the load generator (one Node process, ` +
    `one core at most) and PostgreSQL: the SUT never had ${f.workers} core(s) to itself, so the speed-up is a floor, ` +
    "not the SUT's scaling.";
  if (f.speedUp === null) {
    return {
      extras: [
        { metric: 'Speed-up vs Level 0', target: `> ${f.speedUpTarget}×`, value: null, unit: '×', status: 'fail' },
      ],
      checks: [],
      notes: ['Level 1: no Level 0 run in this invocation, so no speed-up.', cpuNote],
    };
  }
  return {
    extras: [
      {
        metric: 'Speed-up vs Level 0',
        target: { op: '>', value: f.speedUpTarget, unit: '×' },
        value: f.speedUp,
        unit: '×',
      },
      {
        metric: 'Scaling efficiency (speed-up ÷ workers)',
        target: { op: '>=', value: f.efficiencyTargetPct, unit: '%' },
        value: f.efficiencyPct,
        unit: '%',
      },
    ],
    checks: [],
    notes: [cpuNote],
  };
}
