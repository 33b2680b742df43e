// Figures into words: the one place that names, phrases and sets the units of what the ladder's judges measured.
// The wording of each level and analysis lives in report/words/; this module picks one by the figures' kind.
import type { AnalysisFigures, LevelFigures } from './figures.ts';
import type { PhaseReport } from './model.ts';
import { wordCache } from './words/cache.ts';
import { wordCluster } from './words/cluster.ts';
import { wordKnee } from './words/knee.ts';
import { QUEUE_DEPLOYMENT_NOTE, wordQueue } from './words/queue.ts';
import { wordReload } from './words/reload.ts';
import { wordScaling } from './words/scaling.ts';
import { wordStress } from './words/stress.ts';
import type { AnalysisWords, Worded } from './words/worded.ts';

export type { AnalysisWords, Worded } from './words/worded.ts';

/** What the ladder's table means by its core rows, printed first under it. */
export const LADDER_NOTE =
  'Latency percentiles come from the open phase, throughput from the closed phase; error rate = failed ÷ answered ' +
  '(any status ≥ 400, reset, timeout); availability = share of requests not lost to the server (5xx, resets, ' +
  'refusals, timeouts, no answer).';

/** A level's rows, checks and notes; a level without a judge (Level 0) has none. */
export function wordLevel(f: LevelFigures | undefined): Worded {
  switch (f?.kind) {
    case undefined:
      return { extras: [], checks: [], notes: [] };
    case 'scaling':
      return wordScaling(f);
    case 'reload':
      return wordReload(f);
    case 'queue':
      return wordQueue(f);
    case 'cluster':
      return wordCluster(f);
  }
}

/** What the method line adds to a level's deployment (Level 3: the job concurrency it did not set). */
export function deploymentNote(f: LevelFigures | undefined): string | undefined {
  return f?.kind === 'queue' ? QUEUE_DEPLOYMENT_NOTE : undefined;
}

export function wordAnalysis(f: AnalysisFigures): AnalysisWords {
  switch (f.kind) {
    case 'cache':
      return wordCache(f);
    case 'stress':
      return wordStress(f);
    case 'knee':
      return wordKnee(f);
  }
}

/** One line per phase whose generator was saturated. */
export function saturationWarnings(title: string, phases: PhaseReport[]): string[] {
  return phases
    .filter((p) => p.generatorSaturated)
    .map(
      (p) =>
        `${title}, phase "${p.name}": the load generator was saturated (${p.generator.saturationReason}); ` +
        'its figures measure the generator, not the SUT.',
    );
}
