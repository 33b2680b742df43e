import { afterEach, describe, expect, it } from 'vitest';
import { runClosed } from '../../../harness/engine/closed.ts';
import { runOpen } from '../../../harness/engine/open.ts';
import { createAdHocScenario, parseScenario } from '../../../harness/scenario/load.ts';
import { startServer, closedPort, type TestServer } from '../helpers.ts';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
const ok = () => serve((_req, res) => res.end('ok'));
const adHoc = createAdHocScenario({ path: '/' });

describe('exact counts', () => {
  it('closed: a fixed number of requests gives exactly that many 2xx, and the server saw exactly that many', async () => {
    const server = await ok();
    const { recorder } = await runClosed({
      target: server.url,
      scenario: adHoc,
      connections: 7,
      durationSec: 30,
      amount: 1000,
    });
    expect(recorder.counts).toMatchObject({
      sent: 1000,
      completed: 1000,
      failed: 0,
      inFlight: 0,
      byStatus: { '200': 1000 },
    });
    expect(server.received()).toBe(1000);
  });

  it('open: rate × duration requests, every one answered and seen by the server', async () => {
    const server = await ok();
    const result = await runOpen({ target: server.url, scenario: adHoc, targetRps: 400, durationSec: 1.5 });
    expect(result.intended).toBe(600);
    expect(result.recorder.counts).toMatchObject({ sent: 600, completed: 600, failed: 0, inFlight: 0 });
    expect(result.recorder.histogram.count).toBe(600);
    expect(server.received()).toBe(600);
  });
});

describe('accounting', () => {
  it('open: requests unanswered at the end of the drain are counted in flight, not dropped or failed', async () => {
    let n = 0;
    const server = await serve((_req, res) => {
      n += 1;
      if (n % 5 !== 0) res.end('ok'); // every fifth request hangs
    });
    const { recorder } = await runOpen({
      target: server.url,
      scenario: adHoc,
      targetRps: 100,
      durationSec: 1,
      drainTimeoutMs: 200,
    });
    expect(recorder.counts).toMatchObject({ sent: 100, completed: 80, failed: 0, inFlight: 20 });
    expect(server.received()).toBe(100);
  });

  it('counts wrong statuses as failures by status, and resets by error', async () => {
    let n = 0;
    const server = await serve((req, res) => {
      n += 1;
      if (n % 4 === 0) return req.socket.destroy();
      res.statusCode = n % 4 === 1 ? 200 : 503;
      res.end();
    });
    // POST is not idempotent: a reset is a failure, never resent.
    const post = createAdHocScenario({ path: '/', method: 'POST' });
    const { recorder, resetRetries } = await runOpen({
      target: server.url,
      scenario: post,
      targetRps: 200,
      durationSec: 1,
    });
    const c = recorder.counts;
    expect(resetRetries).toBe(0);
    expect(c.sent).toBe(200);
    expect(c.completed + c.failed + c.inFlight).toBe(200);
    expect(c.completed).toBe(c.byStatus['200']);
    expect(c.byStatus['503']).toBeGreaterThan(0);
    expect(c.byError['ECONNRESET']).toBeGreaterThan(0);
    expect(c.failed).toBe((c.byStatus['503'] ?? 0) + (c.byError['ECONNRESET'] ?? 0));
  });

  /** One second of GETs at 200 req/s, open model: the counts and how many were resent. */
  async function getsAt200PerSecond(target: string) {
    const { recorder, resetRetries } = await runOpen({ target, scenario: adHoc, targetRps: 200, durationSec: 1 });
    return { c: recorder.counts, resetRetries };
  }

  it('resends an idempotent GET once after a reset, counted, and the server saw every attempt', async () => {
    let n = 0;
    const server = await serve((req, res) => {
      n += 1;
      if (n % 4 === 0) return req.socket.destroy();
      res.end();
    });
    const { c, resetRetries } = await getsAt200PerSecond(server.url);
    expect(c.sent).toBe(200);
    expect(resetRetries).toBeGreaterThan(0);
    expect(n).toBe(c.sent + resetRetries); // every first attempt and every resend reached the server
    expect(c.byError['ECONNRESET'] ?? 0).toBeLessThanOrEqual(resetRetries); // only a resend that was reset again fails
    expect(c.completed + c.failed + c.inFlight).toBe(200);
  });

  it('a resend goes on a new connection: against a server that resets every reused connection no GET fails', async () => {
    // What a draining worker does to its idle keep-alive connections, all at once: another idle connection is no
    // place for the resend, a new one (to a server that accepts) is.
    const requestsOn = new Map<object, number>();
    let n = 0;
    const server = await serve((req, res) => {
      n += 1;
      const earlier = requestsOn.get(req.socket) ?? 0;
      requestsOn.set(req.socket, earlier + 1);
      if (earlier > 0) return req.socket.destroy();
      res.end();
    });
    const { c, resetRetries } = await getsAt200PerSecond(server.url);
    expect(resetRetries).toBeGreaterThan(0);
    expect(c).toMatchObject({ sent: 200, completed: 200, failed: 0, byError: {} });
    expect(n).toBe(200 + resetRetries);
  });

  it('classifies a refused connection as ECONNREFUSED', async () => {
    const port = await closedPort();
    const { recorder } = await runOpen({
      target: `http://127.0.0.1:${port}`,
      scenario: adHoc,
      targetRps: 50,
      durationSec: 0.2,
    });
    expect(recorder.counts).toMatchObject({ sent: 10, completed: 0, failed: 10, byError: { ECONNREFUSED: 10 } });
  });

  it('times out slow answers as timeout errors', async () => {
    const server = await serve(() => undefined);
    const { recorder } = await runOpen({
      target: server.url,
      scenario: adHoc,
      targetRps: 20,
      durationSec: 0.5,
      timeoutMs: 100,
      drainTimeoutMs: 1000,
    });
    expect(recorder.counts).toMatchObject({ sent: 10, failed: 10, byError: { timeout: 10 } });
  });
});

describe('scenarios', () => {
  const scenario = parseScenario({
    journeys: [
      {
        name: 'user',
        steps: [
          { name: 'POST /login', method: 'POST', path: '/login', body: { user: 'a' }, capture: { token: 'token' } },
          { name: 'GET /items/:id', path: '/items/{randomInt:1:50}', headers: { authorization: 'Bearer {var:token}' } },
        ],
      },
    ],
  });
  const tokenServer = () =>
    serve((req, res) => {
      if (req.url === '/login') return res.end(JSON.stringify({ token: 'T0K' }));
      res.statusCode = req.headers.authorization === 'Bearer T0K' && /^\/items\/\d+$/.test(req.url ?? '') ? 200 : 401;
      res.end('{}');
    });

  it('closed: captures the login token for later steps and keys stats by route pattern', async () => {
    const server = await tokenServer();
    const { recorder } = await runClosed({ target: server.url, scenario, connections: 3, durationSec: 30, amount: 60 });
    expect(recorder.counts).toMatchObject({ sent: 60, completed: 60, failed: 0 });
    expect([...recorder.endpoints.keys()].sort()).toEqual(['GET /items/:id', 'POST /login']);
    expect(recorder.endpoint('GET /items/:id').counts.completed).toBe(30);
    expect(server.received()).toBe(60);
  });

  it('open: the same journey with sessions lent per arrival', async () => {
    const server = await tokenServer();
    const { recorder } = await runOpen({ target: server.url, scenario, targetRps: 100, durationSec: 1 });
    expect(recorder.counts).toMatchObject({ sent: 100, completed: 100, failed: 0 });
    expect(recorder.endpoint('GET /items/:id').counts.completed).toBeGreaterThan(0);
  });
});
