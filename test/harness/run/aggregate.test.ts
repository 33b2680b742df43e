// The one availability rule, shared by loadlab run, the ladder's core rows and the reload check.
import { describe, expect, it } from 'vitest';
import { availabilityOf, unavailableCount } from '../../../harness/run/aggregate.ts';
import type { PhaseReport } from '../../../harness/report/model.ts';

const phase = (model: 'open' | 'closed', requests: Partial<PhaseReport['requests']>): PhaseReport =>
  ({
    model,
    requests: { sent: 0, completed: 0, failed: 0, inFlight: 0, byStatus: {}, byError: {}, ...requests },
  }) as PhaseReport;

describe('availabilityOf', () => {
  it.each([
    ['nothing lost', [phase('open', { completed: 100, byStatus: { 200: 100 } })], 1],
    [
      'a 4xx is served (it lowers only the error rate)',
      [phase('open', { completed: 99, failed: 1, byStatus: { 200: 99, 404: 1 } })],
      1,
    ],
    ['a 5xx is not', [phase('open', { completed: 99, failed: 1, byStatus: { 200: 99, 503: 1 } })], 0.99],
    [
      'a reset is not',
      [phase('open', { completed: 98, failed: 2, byStatus: { 200: 98 }, byError: { ECONNRESET: 2 } })],
      0.98,
    ],
    ['an open phase holding requests at its end lost them', [phase('open', { completed: 95, inFlight: 5 })], 0.95],
    [
      'a closed phase in flight at its end is the generator stopping',
      [phase('closed', { completed: 90, inFlight: 8 })],
      1,
    ],
    [
      'phases add up',
      [
        phase('closed', { completed: 100, inFlight: 3 }),
        phase('open', { completed: 99, failed: 1, byStatus: { 500: 1 } }),
      ],
      0.995,
    ],
    ['no requests at all', [], 0],
  ] as const)('%s', (_name, phases, expected) => {
    expect(availabilityOf([...phases])).toBeCloseTo(expected, 12);
  });

  it('unavailableCount counts 5xx statuses and transport errors, not 4xx', () => {
    const p = phase('open', { byStatus: { 200: 5, 404: 2, 500: 3, 502: 1 }, byError: { timeout: 2, ECONNREFUSED: 1 } });
    expect(unavailableCount(p)).toBe(7);
  });
});
