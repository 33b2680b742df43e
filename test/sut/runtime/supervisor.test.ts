// The supervisor's crash backoff: a single death is replaced at once, a crash loop backs off.
import { describe, expect, it } from 'vitest';
import { crashBackoffMs } from '../../../sut/runtime/supervisor.ts';

describe('crashBackoffMs', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 500],
    [3, 1000],
    [4, 2000],
    [7, 16_000],
    [8, 30_000],
    [50, 30_000],
  ])('%i deaths in the window → wait %i ms', (deaths, expectedMs) => {
    expect(crashBackoffMs(deaths)).toBe(expectedMs);
  });
});
