// The open model's arrival schedule: intended send times for a constant or linearly ramping rate (pure).

export interface ArrivalSchedule {
  /** Number of arrivals in the phase. */
  count: number;
  /** Intended send time of arrival `index`, in ms from the phase start. */
  intendedMs(index: number): number;
}

/**
 * Constant rate when `fromRps` is omitted or equal to `targetRps`; otherwise the rate rises (or falls)
 * linearly from `fromRps` to `targetRps` over the phase, and arrival i is sent when the cumulative
 * expected count reaches i.
 */
export function createSchedule(opts: { targetRps: number; fromRps?: number; durationSec: number }): ArrivalSchedule {
  const { targetRps, durationSec } = opts;
  const fromRps = opts.fromRps ?? targetRps;
  const count = Math.floor(((fromRps + targetRps) / 2) * durationSec + 1e-9);
  if (fromRps === targetRps) {
    const intervalMs = 1000 / targetRps;
    return { count, intendedMs: (index) => index * intervalMs };
  }
  // N(t) = r0·t + (r1 − r0)·t² / (2T); solve N(t) = index for t.
  const a = (targetRps - fromRps) / (2 * durationSec);
  const b = fromRps;
  return {
    count,
    intendedMs(index) {
      const disc = Math.max(0, b * b + 4 * a * index);
      const tSec = (-b + Math.sqrt(disc)) / (2 * a);
      return tSec * 1000;
    },
  };
}
