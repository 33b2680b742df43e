// Level 3 in words: the enqueue, processing and depth rows, and the note on how the processing rate is measured.
import type { QueueFigures } from '../figures.ts';
import type { Worded } from './worded.ts';

/** Appended to Level 3's deployment on the method line. */
export const QUEUE_DEPLOYMENT_NOTE = 'TASK_CONCURRENCY per worker as configured';

export function wordQueue(f: QueueFigures): Worded {
  const rate = f.processingRatePerSec;
  const notes = [queueNote(f)];
  if (f.background) {
    notes.push(
      `Level 3: during the open phase a second open-model client enqueued ${f.background.jobs} more jobs at ` +
        `${Math.round(f.background.achievedRps)}/s (half the enqueue rate; not in the latency figures).`,
    );
  }
  return {
    extras: [
      {
        metric: 'Enqueue rate (POST /api/tasks)',
        target: { op: '>=', value: f.enqueueTargetRps, unit: 'jobs/s' },
        value: f.enqueueRps,
        unit: 'jobs/s',
      },
      {
        metric: 'Processing rate',
        target: 'info',
        value: rate,
        unit: 'jobs/s',
        status: rate === null ? 'warn' : 'pass',
      },
      {
        metric: 'Queue depth, max',
        target: 'info',
        value: f.maxDepth,
        unit: 'jobs',
        status: f.maxDepth === null ? 'warn' : 'pass',
      },
    ],
    checks: [],
    notes,
  };
}

function queueNote(f: QueueFigures): string {
  const failed = f.failedEnqueues
    ? `; ${f.failedEnqueues} enqueue requests failed (${JSON.stringify(f.enqueueErrors)})`
    : '';
  const until =
    f.drainedAfterSec === null ? 'was last sampled (it never drained)' : `drained (${f.drainedAfterSec.toFixed(1)}s)`;
  return (
    `Level 3: ${f.accepted} jobs enqueued in ${f.enqueueDurationSec}s${failed}; processing rate = (jobs enqueued − ` +
    `growth of the backlog) ÷ time, from the enqueue phase's start until the backlog ${until}; ` +
    `jobs were queued or running in ${f.busySamples} of the ${f.openSamples} one-second samples of the open phase, ` +
    "whose latency is the API's while jobs run; queue depth per second is in series.csv (queue_waiting, queue_active)."
  );
}
