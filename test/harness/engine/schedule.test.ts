import { describe, expect, it } from 'vitest';
import { createSchedule } from '../../../harness/engine/schedule.ts';

function gaps(opts: Parameters<typeof createSchedule>[0]): number[] {
  const s = createSchedule(opts);
  return Array.from({ length: s.count - 1 }, (_, i) => s.intendedMs(i + 1) - s.intendedMs(i));
}

describe('arrival schedule', () => {
  it('uniform: rate × duration arrivals, evenly spaced from 0', () => {
    const s = createSchedule({ targetRps: 400, durationSec: 1.5 });
    expect(s.count).toBe(600);
    expect(s.intendedMs(0)).toBe(0);
    expect(s.intendedMs(1)).toBeCloseTo(2.5, 12);
    expect(s.intendedMs(599)).toBeCloseTo(1497.5, 9);
  });

  it('uniform ramp: the mean of both rates × duration arrivals, denser at the end of a rising ramp', () => {
    const s = createSchedule({ fromRps: 100, targetRps: 300, durationSec: 10 });
    expect(s.count).toBe(2000);
    const first = s.intendedMs(1) - s.intendedMs(0);
    const last = s.intendedMs(1999) - s.intendedMs(1998);
    expect(first).toBeCloseTo(10, 1);
    expect(last).toBeCloseTo(1000 / 300, 1);
  });

  it('poisson: inter-arrival times have mean 1/rate and a coefficient of variation of about 1', () => {
    const g = gaps({ targetRps: 2000, durationSec: 60, arrivals: 'poisson', seed: 7 });
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
    expect(mean).toBeGreaterThan(0.5 * 0.98);
    expect(mean).toBeLessThan(0.5 * 1.02);
    expect(sd / mean).toBeGreaterThan(0.97);
    expect(sd / mean).toBeLessThan(1.03);
    // uniform arrivals have no spread at all
    const u = gaps({ targetRps: 2000, durationSec: 1 });
    expect(Math.max(...u) - Math.min(...u)).toBeLessThan(1e-9);
  });

  it('poisson: the count is close to rate × duration, every time lies in the phase and increases', () => {
    const s = createSchedule({ targetRps: 2000, durationSec: 60, arrivals: 'poisson', seed: 1 });
    // sd of a Poisson count is sqrt(120000) ≈ 346; 5 sd either side
    expect(Math.abs(s.count - 120_000)).toBeLessThan(1_750);
    let decreasing = 0;
    for (let i = 1; i < s.count; i++) if (s.intendedMs(i) < s.intendedMs(i - 1)) decreasing += 1;
    expect(decreasing).toBe(0);
    expect(s.intendedMs(0)).toBeGreaterThan(0);
    expect(s.intendedMs(s.count - 1)).toBeLessThan(60_000);
  });

  it('poisson: one seed gives one schedule (every thread computes the same one), another seed another', () => {
    const a = createSchedule({ targetRps: 500, durationSec: 2, arrivals: 'poisson', seed: 3 });
    const b = createSchedule({ targetRps: 500, durationSec: 2, arrivals: 'poisson', seed: 3 });
    const c = createSchedule({ targetRps: 500, durationSec: 2, arrivals: 'poisson', seed: 4 });
    expect(a.count).toBe(b.count);
    expect(Array.from({ length: a.count }, (_, i) => a.intendedMs(i))).toEqual(
      Array.from({ length: b.count }, (_, i) => b.intendedMs(i)),
    );
    expect(c.intendedMs(0)).not.toBe(a.intendedMs(0));
  });

  it('poisson ramp: arrivals follow the rising rate (more in the second half)', () => {
    const s = createSchedule({ fromRps: 100, targetRps: 900, durationSec: 20, arrivals: 'poisson', seed: 2 });
    const half = Array.from({ length: s.count }, (_, i) => s.intendedMs(i)).filter((t) => t < 10_000).length;
    // expected: 3,000 in the first half and 7,000 in the second
    expect(half).toBeGreaterThan(2_750);
    expect(half).toBeLessThan(3_250);
    expect(s.count - half).toBeGreaterThan(6_600);
    expect(s.count - half).toBeLessThan(7_400);
  });
});
