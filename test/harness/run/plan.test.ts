import { describe, expect, it } from 'vitest';
import { planPhases } from '../../../harness/run/plan.ts';
import { createSchedule } from '../../../harness/engine/schedule.ts';

describe('planPhases', () => {
  it('puts an unjudged warm-up before the sustained phase', () => {
    expect(planPhases({ targetRps: 100, durationSec: 30, warmupSec: 5 })).toEqual([
      { name: 'warmup', model: 'open', targetRps: 100, durationSec: 5, judged: false },
      { name: 'sustained', model: 'open', targetRps: 100, durationSec: 30, judged: true },
    ]);
  });

  it('turns scenario stages into named phases, ramping where asked', () => {
    const phases = planPhases({
      durationSec: 30,
      warmupSec: 0,
      targetRps: 100,
      stages: [
        { name: 'warm-up', duration: '5s' },
        { name: 'ramp-up', duration: '10s', fromRate: 10, rate: 200 },
        { name: 'sustained', duration: '1m', rate: 200 },
        { name: 'spike', duration: '5s', rate: 800 },
        { name: 'recovery', duration: '10s', rate: 200 },
        { name: 'capacity', duration: '10s', connections: 16 },
      ],
    });
    expect(
      phases.map((p) => [p.name, p.model, p.targetRps ?? p.connections, p.fromRps, p.durationSec, p.judged]),
    ).toEqual([
      ['warm-up', 'open', 100, undefined, 5, false],
      ['ramp-up', 'open', 200, 10, 10, true],
      ['sustained', 'open', 200, undefined, 60, true],
      ['spike', 'open', 800, undefined, 5, true],
      ['recovery', 'open', 200, undefined, 10, true],
      ['capacity', 'closed', 16, undefined, 10, true],
    ]);
  });
});

describe('planPhases: arrivals', () => {
  it("gives open phases --arrivals, a stage's own arrivals beats it, closed phases get none", () => {
    const phases = planPhases({
      durationSec: 30,
      warmupSec: 0,
      targetRps: 100,
      arrivals: 'uniform',
      stages: [
        { name: 'steady', duration: '5s' },
        { name: 'bursty', duration: '5s', arrivals: 'poisson' },
        { name: 'capacity', duration: '5s', connections: 4 },
      ],
    });
    expect(phases.map((p) => [p.name, p.arrivals])).toEqual([
      ['steady', 'uniform'],
      ['bursty', 'poisson'],
      ['capacity', undefined],
    ]);
    expect(
      planPhases({ targetRps: 10, durationSec: 1, warmupSec: 1, arrivals: 'poisson' }).map((p) => p.arrivals),
    ).toEqual(['poisson', 'poisson']);
  });

  it('refuses arrivals on a closed stage', () => {
    expect(() =>
      planPhases({
        durationSec: 1,
        warmupSec: 0,
        stages: [{ name: 'capacity', duration: '5s', connections: 4, arrivals: 'poisson' }],
      }),
    ).toThrow('stage "capacity": arrivals needs an open-model stage (a rate)');
  });
});

describe('createSchedule', () => {
  it.each([
    [{ targetRps: 200, durationSec: 5 }, 1000, 4995],
    [{ targetRps: 3, durationSec: 1 }, 3, 666.667],
    [{ targetRps: 100, fromRps: 0, durationSec: 10 }, 500, 9990.0],
    [{ targetRps: 0.5, durationSec: 4 }, 2, 2000],
  ])('%j → %i arrivals, last at %f ms', (opts, count, lastMs) => {
    const s = createSchedule(opts);
    expect(s.count).toBe(count);
    expect(s.intendedMs(count - 1)).toBeCloseTo(lastMs, 0);
    expect(s.intendedMs(0)).toBe(0);
  });

  it('spaces a ramp so the rate rises linearly', () => {
    const s = createSchedule({ fromRps: 0, targetRps: 100, durationSec: 10 });
    const inFirstHalf = Array.from({ length: s.count }, (_, i) => s.intendedMs(i)).filter((t) => t < 5000).length;
    expect(inFirstHalf).toBe(125); // ∫0..5 10t dt
  });
});
