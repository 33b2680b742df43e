// Level 3's queue figures: queue depth from /metrics once a second, the processing rate, and the series.csv columns.
import { performance } from 'node:perf_hooks';

export interface QueueDepth {
  atMs: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Reads loadlab_queue_jobs{state="…"} from a Prometheus text (pure); undefined when the SUT has no queue. */
export function parseQueueDepth(metricsText: string, atMs: number): QueueDepth | undefined {
  const values: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^loadlab_queue_jobs\{state="(\w+)"\}\s+(\S+)$/gm)) values[m[1]!] = Number(m[2]);
  if (Object.keys(values).length === 0) return undefined;
  return {
    atMs,
    waiting: values.waiting ?? 0,
    active: values.active ?? 0,
    delayed: values.delayed ?? 0,
    failed: values.failed ?? 0,
  };
}

export const backlogOf = (d: QueueDepth): number => d.waiting + d.active + d.delayed;

/**
 * Jobs processed per second from `enqueued` accepted jobs and the backlog before and after (pure): the completed
 * counter is capped by the queue's retention, the backlog is not. The window ends when the backlog first drains.
 */
export function processingRate(
  samples: QueueDepth[],
  enqueued: number,
  startMs: number,
): { ratePerSec: number | null; drainedAtMs: number | null } {
  const first = samples.find((s) => s.atMs >= startMs);
  if (!first) return { ratePerSec: null, drainedAtMs: null };
  const drained = samples.find((s) => s.atMs > first.atMs && backlogOf(s) === 0);
  const end = drained ?? samples[samples.length - 1]!;
  const seconds = (end.atMs - startMs) / 1000;
  if (seconds <= 0) return { ratePerSec: null, drainedAtMs: null };
  const before = samples.filter((s) => s.atMs <= startMs).pop() ?? first;
  const processed = enqueued - (backlogOf(end) - backlogOf(before));
  return { ratePerSec: Math.round((processed / seconds) * 10) / 10, drainedAtMs: drained ? drained.atMs : null };
}

/** Samples /metrics every second (atMs on performance.now()'s clock); `rowOf` maps each sample to the series row being written at that moment. */
export function startQueueSampler(
  metricsUrl: string,
  rowOf: () => number,
): { samples: QueueDepth[]; byRow: Map<number, QueueDepth>; stop(): Promise<void> } {
  const samples: QueueDepth[] = [];
  const byRow = new Map<number, QueueDepth>();
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = fetch(metricsUrl, { signal: AbortSignal.timeout(900) })
      .then((res) => res.text())
      .then((text) => {
        const depth = parseQueueDepth(text, performance.now());
        if (!depth) return;
        samples.push(depth);
        byRow.set(rowOf(), depth);
      })
      .catch(() => undefined); // a missed scrape is a gap in the series, not a failed run
  };
  tick();
  const timer = setInterval(tick, 1000);
  return {
    samples,
    byRow,
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/** Adds queue_waiting and queue_active columns to a series CSV (pure); rows without a sample get empty cells. */
export function appendQueueColumns(csv: string, byRow: Map<number, QueueDepth>): string {
  const lines = csv.trimEnd().split('\n');
  return (
    lines
      .map((line, i) => {
        if (i === 0) return `${line},queue_waiting,queue_active`;
        const d = byRow.get(i - 1);
        return `${line},${d ? d.waiting : ''},${d ? d.active : ''}`;
      })
      .join('\n') + '\n'
  );
}
