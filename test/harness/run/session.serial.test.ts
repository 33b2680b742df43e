// The measurement session: verification before timing, one phase per engine, exact counts, one series row a second.
import { afterEach, describe, expect, it } from 'vitest';
import { openSession, withSession } from '../../../harness/run/session.ts';
import { createAdHocScenario } from '../../../harness/scenario/load.ts';
import { VerificationError } from '../../../harness/errors.ts';
import { memoryIO, startServer, type TestServer } from '../helpers.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ok = () =>
  startServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"id":1}');
  });

describe('openSession / withSession', () => {
  it('verifies first (one request), then an open phase sends exactly rate × duration and each is seen by the server', async () => {
    server = await ok();
    const io = memoryIO();
    const scenario = createAdHocScenario({ method: 'GET', path: '/x', expectStatus: 200 });
    const phase = { name: 'open', model: 'open' as const, targetRps: 50, durationSec: 2, judged: true };
    const result = await withSession({ target: server.url, scenario, timeoutMs: 2_000, seed: 1, io }, async (s) => {
      expect(server!.received()).toBe(1); // the verification request, before any timing
      return s.runPhase(phase);
    });
    expect(io.err()).toContain('verified GET /x → 200');
    expect(result.report.requests).toMatchObject({ sent: 100, completed: 100, failed: 0, inFlight: 0 });
    expect(result.report.requests.byStatus).toEqual({ '200': 100 });
    expect(server.received()).toBe(101);
    expect(result.report.model).toBe('open');
    expect(result.report.achievedRps).toBe(50);
  });

  it('runs a closed phase on the same session and appends one series row per second across phases', async () => {
    server = await ok();
    const scenario = createAdHocScenario({ method: 'GET', path: '/y' });
    const session = await openSession({ target: server.url, scenario, timeoutMs: 2_000, seed: 1, io: memoryIO() });
    try {
      const open = await session.runPhase({ name: 'a', model: 'open', targetRps: 20, durationSec: 1.5, judged: false });
      const closed = await session.runPhase({
        name: 'b',
        model: 'closed',
        connections: 2,
        durationSec: 1.5,
        judged: true,
      });
      expect(open.report.requests.sent).toBe(30);
      expect(closed.report.model).toBe('closed');
      expect(closed.report.requests.completed).toBeGreaterThan(0);
      expect(closed.report.requests.failed).toBe(0);
      const phases = session.series.map((row) => row.phase);
      // At least one row per phase (a busy machine may stretch a phase past its second tick), in phase order.
      expect(phases.filter((p) => p === 'a').length).toBeGreaterThanOrEqual(1);
      expect(phases.filter((p) => p === 'b').length).toBeGreaterThanOrEqual(1);
      expect(phases.lastIndexOf('a')).toBeLessThan(phases.indexOf('b'));
      expect(session.series.map((row) => row.second)).toEqual(session.series.map((_row, i) => i));
    } finally {
      session.stop();
    }
  });

  it('does not time a target that answers verification wrongly', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const scenario = createAdHocScenario({ method: 'GET', path: '/z' });
    const io = memoryIO();
    await expect(openSession({ target: server.url, scenario, timeoutMs: 2_000, seed: 1, io })).rejects.toBeInstanceOf(
      VerificationError,
    );
    expect(server.received()).toBe(1);
  });
});
