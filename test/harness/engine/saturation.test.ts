import { describe, expect, it } from 'vitest';
import { saturationReasons, type SaturationInputs } from '../../../harness/engine/saturation.ts';

const easy: SaturationInputs = {
  sent: 10_000,
  lateSends: 0,
  lateThresholdMs: 2,
  sendLagP99Ms: 0.3,
  latencyP99Ms: 2,
  busyCpuPct: 40,
  eventLoopP99Ms: 1,
};

describe('saturation rule', () => {
  it('says nothing about an easy open run', () => {
    expect(saturationReasons(easy)).toEqual([]);
  });

  it.each([
    [{ lateSends: 100 }, []], // exactly 1%: not over
    [{ lateSends: 101 }, ['101 of 10000 sends (1%) left over 2 ms late (> 1%)']],
    [{ sendLagP99Ms: 1 }, []], // the 1 ms floor, not over
    [{ sendLagP99Ms: 1.001 }, ['send-lag p99 1.001 ms > 1 ms (max of 1 ms and 10% of p99)']],
    [{ sendLagP99Ms: 40, latencyP99Ms: 418 }, []], // 10% of a 418 ms p99 is 41.8 ms
    [{ sendLagP99Ms: 96, latencyP99Ms: 418 }, ['send-lag p99 96 ms > 41.8 ms (max of 1 ms and 10% of p99)']],
    [{ busyCpuPct: 89.9 }, []],
    [{ busyCpuPct: 90 }, ['generator thread busy 90% ≥ 90% of one core']],
    [{ eventLoopP99Ms: 50 }, []],
    [{ eventLoopP99Ms: 50.5 }, ['event-loop delay p99 50.5 ms > 50 ms']],
  ])('%o → %o', (change, expected) => {
    expect(saturationReasons({ ...easy, ...change })).toEqual(expected);
  });

  it('a closed phase has no send-lag rule, only CPU and event loop', () => {
    expect(saturationReasons({ sent: 10, latencyP99Ms: 1, busyCpuPct: 95, eventLoopP99Ms: 60 })).toEqual([
      'generator thread busy 95% ≥ 90% of one core',
      'event-loop delay p99 60 ms > 50 ms',
    ]);
  });
});
