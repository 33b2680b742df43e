// Event-loop delay of the calling thread, as the monitor and each generator thread report it.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

// Node's histogram records the whole timer interval, so the resolution is subtracted to get the delay.
const LOOP_RESOLUTION_MS = 10;

export function createLoopDelay(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  h.enable();
  return h;
}

/** The delay's p99 in ms (one decimal), the timer interval taken off. */
export function loopDelayP99Ms(h: IntervalHistogram): number {
  return Math.round(Math.max(0, h.percentile(99) / 1e6 - LOOP_RESOLUTION_MS) * 10) / 10;
}
