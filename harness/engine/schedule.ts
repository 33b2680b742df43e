// The open model's arrival schedule: intended send times for a constant or linearly ramping rate, with evenly
// spaced or Poisson arrivals (pure; a seed fixes the Poisson draw, so every thread computes the same schedule).
import { createRandom } from '../../lib/random.ts';
import type { Arrivals } from '../report/model.ts';

export interface ArrivalSchedule {
  /** Number of arrivals in the phase. */
  count: number;
  /** Intended send time of arrival `index`, in ms from the phase start. */
  intendedMs(index: number): number;
}

export interface ScheduleOptions {
  targetRps: number;
  /** When set and different from targetRps, the rate moves linearly from this to targetRps over the phase. */
  fromRps?: number;
  durationSec: number;
  arrivals?: Arrivals;
  seed?: number;
}

/**
 * Arrival i is sent when the expected cumulative count Λ(t) = r0·t + (r1 − r0)·t²/(2T) reaches its "arrival
 * number": i for uniform arrivals, or the i-th point of a unit-rate Poisson process (a running sum of
 * exponential draws) for Poisson arrivals — so Poisson arrivals follow a ramp too (a non-homogeneous process).
 */
export function createSchedule(opts: ScheduleOptions): ArrivalSchedule {
  const { targetRps, durationSec } = opts;
  const fromRps = opts.fromRps ?? targetRps;
  const totalExpected = ((fromRps + targetRps) / 2) * durationSec;
  const timeOf = inverseCumulative(fromRps, targetRps, durationSec);
  if ((opts.arrivals ?? 'uniform') === 'uniform') {
    const count = Math.floor(totalExpected + 1e-9);
    return { count, intendedMs: (index) => timeOf(index) };
  }
  const random = createRandom(opts.seed ?? 1);
  const points: number[] = [];
  for (let at = exponential(random); at < totalExpected; at += exponential(random)) points.push(timeOf(at));
  const times = Float64Array.from(points);
  return { count: times.length, intendedMs: (index) => times[index]! };
}

/** t(n) in ms such that Λ(t) = n. */
function inverseCumulative(fromRps: number, targetRps: number, durationSec: number): (n: number) => number {
  if (fromRps === targetRps) {
    const intervalMs = 1000 / targetRps;
    return (n) => n * intervalMs;
  }
  const a = (targetRps - fromRps) / (2 * durationSec);
  const b = fromRps;
  return (n) => ((-b + Math.sqrt(Math.max(0, b * b + 4 * a * n))) / (2 * a)) * 1000;
}

/** An Exp(1) draw; 1 − u keeps the argument of log in (0, 1]. */
function exponential(random: () => number): number {
  return -Math.log(1 - random());
}
