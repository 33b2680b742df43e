// The options every level and `run` take to repeat their measured phases and to judge a change (--baseline).
import type { OptionSpec } from './args.ts';

/** `--tolerance`, also taken by `loadlab compare` and `ab`. */
export const TOLERANCE_OPTION: OptionSpec = {
  name: 'tolerance',
  type: 'string',
  valueName: 'KPI=PCT',
  repeatable: true,
  description: 'smallest change worth a verdict, e.g. p99=15% (default: from the noise floor)',
};

/** Trials and the judgement of a change, on every level and `run` (harness/commands/compare.ts does the comparing). */
export const TRIAL_OPTIONS: OptionSpec[] = [
  {
    name: 'trials',
    type: 'integer',
    valueName: 'N',
    default: 1,
    description: 'repeat the measured phases N times on one deployment (one warm-up); run.json keeps every trial',
  },
  { name: 'fresh', type: 'boolean', description: 'with --trials: a fresh deployment (SUT restarted) for each trial' },
  {
    name: 'save-baseline',
    type: 'string',
    valueName: 'NAME',
    description: 'save this run (if it passed) as <out>/baselines/NAME (commit it)',
  },
  {
    name: 'baseline',
    type: 'string',
    valueName: 'NAME',
    description: 'then compare with <out>/baselines/NAME (or a run folder): exit 1 when a judged KPI is worse',
  },
  TOLERANCE_OPTION,
];
