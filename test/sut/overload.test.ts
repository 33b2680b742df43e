// The rate limiter's token bucket, exactly, on a clock the test moves by hand.
import { describe, expect, it } from 'vitest';
import { createLoadCounts, createRateLimiter, UNGUARDED_PATHS } from '../../sut/overload.ts';

function limiterAt(ratePerSec: number) {
  const clock = { nowMs: 1_000 };
  return { limiter: createRateLimiter(ratePerSec, () => clock.nowMs), clock };
}

describe('createRateLimiter', () => {
  it('lets a burst of one second’s worth through, then one request per 1/rate seconds', () => {
    const { limiter, clock } = limiterAt(5);
    const burst = Array.from({ length: 20 }, () => limiter.take('a'));
    expect(burst.filter(Boolean)).toHaveLength(5);
    expect(burst.slice(0, 5).every(Boolean)).toBe(true);
    clock.nowMs += 199; // 0.995 of a token
    expect(limiter.take('a')).toBe(false);
    clock.nowMs += 1; // now a whole one
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });

  it('keeps one bucket per client', () => {
    const { limiter } = limiterAt(2);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    expect([limiter.take('b'), limiter.take('b'), limiter.take('b')]).toEqual([true, true, false]);
  });

  it('holds at most one second’s worth, however long the client was idle', () => {
    const { limiter, clock } = limiterAt(3);
    limiter.take('a');
    clock.nowMs += 60_000;
    expect(Array.from({ length: 5 }, () => limiter.take('a'))).toEqual([true, true, true, false, false]);
  });

  it.each([
    [5, 1], // a token comes within 0.2 s: Retry-After is whole seconds, at least 1
    [1, 1],
    [0.25, 4],
  ])('at %d req/s an empty bucket says Retry-After %d', (rate, seconds) => {
    const { limiter } = limiterAt(rate);
    while (limiter.take('a'));
    expect(limiter.retryAfterSec('a')).toBe(seconds);
  });

  it('forgets idle clients once it holds many, and still limits the busy ones', () => {
    const { limiter, clock } = limiterAt(1);
    for (let i = 0; i < 10_000; i++) limiter.take(`idle-${i}`);
    clock.nowMs += 1_000;
    expect(limiter.take('busy')).toBe(true); // prunes the 10,000 idle ones
    expect(limiter.take('busy')).toBe(false);
  });
});

describe('overload constants', () => {
  it('never guards the probes, and counts start at zero', () => {
    expect([...UNGUARDED_PATHS].sort()).toEqual(['/health', '/metrics', '/ready']);
    expect(createLoadCounts()).toEqual({ inFlight: 0, shed: 0, limited: 0 });
  });
});
