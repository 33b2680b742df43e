// sumSideRequests: a ladder's sessions' verification calls and probes add up into run.json's two fields.
import { describe, expect, it } from 'vitest';
import { sumSideRequests } from '../../../harness/run/finish.ts';

describe('sumSideRequests', () => {
  it('adds requests, statuses and errors; probes only where a session had them', () => {
    expect(
      sumSideRequests([
        { verification: { requests: 6, byStatus: { '200': 6 }, byError: {} } },
        undefined,
        {
          verification: { requests: 3, byStatus: { '200': 2, '404': 1 }, byError: {} },
          probes: { requests: 10, byStatus: { '200': 9 }, byError: { timeout: 1 } },
        },
      ]),
    ).toEqual({
      verification: { requests: 9, byStatus: { '200': 8, '404': 1 }, byError: {} },
      probes: { requests: 10, byStatus: { '200': 9 }, byError: { timeout: 1 } },
    });
  });

  it('gives neither field when no session ran', () => {
    expect(sumSideRequests([])).toEqual({});
    expect(sumSideRequests([undefined])).toEqual({});
  });
});
