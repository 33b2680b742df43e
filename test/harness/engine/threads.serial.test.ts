// The engine across threads and its own honesty: exact merged counts, the saturation flag, answer checks, tallies.
import { afterEach, describe, expect, it } from 'vitest';
import { closedEngine, openEngine, type EngineContext, type Phase } from '../../../harness/engine/engine.ts';
import { runOpen } from '../../../harness/engine/open.ts';
import { summarizePhase } from '../../../harness/engine/phase-result.ts';
import { Recorder } from '../../../harness/engine/recorder.ts';
import { createSchedule } from '../../../harness/engine/schedule.ts';
import { createAdHocScenario } from '../../../harness/scenario/load.ts';
import { startServer, type TestServer } from '../helpers.ts';

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
/** Answers every request after a fixed delay. */
const fixed = (ms: number) => serve((_req, res) => void setTimeout(() => res.end('ok'), ms));
const adHoc = createAdHocScenario({ path: '/' });
const idle = { cpuPctMean: 0, cpuPctMax: 0, eventLoopP99Ms: 0 };

function ctx(target: string, more: Partial<EngineContext> = {}): EngineContext {
  return { target, scenario: adHoc, recorder: new Recorder(), seed: 1, ...more };
}
const open = (targetRps: number, durationSec: number): Phase => ({
  name: 'p',
  model: 'open',
  targetRps,
  durationSec,
  judged: true,
});

describe('worker threads', () => {
  it('open on 3 threads: exactly the schedule, every request answered once, latency of a fixed 20 ms server', async () => {
    const server = await fixed(20);
    const c = ctx(server.url, { threads: 3 });
    const run = await openEngine.run(open(300, 2), c);
    expect(run.threads).toBe(3);
    expect(run.threadFigures).toHaveLength(3);
    expect(c.recorder.counts).toEqual({
      sent: 600,
      completed: 600,
      failed: 0,
      inFlight: 0,
      byStatus: { '200': 600 },
      byError: {},
    });
    expect(c.recorder.histogram.count).toBe(600);
    expect(run.open!.sendLag.count).toBe(600);
    expect(run.open!.serviceTime.count).toBe(600);
    expect(server.received()).toBe(600);
    // Every value of every thread is in the merge: the median is the server's 20 ms plus loopback and timers.
    expect(c.recorder.histogram.percentileMs(50)).toBeGreaterThanOrEqual(20);
    expect(c.recorder.histogram.percentileMs(50)).toBeLessThan(40);
  });

  it('open with Poisson arrivals on 2 threads sends exactly the seeded schedule', async () => {
    const server = await fixed(1);
    const c = ctx(server.url, { threads: 2, arrivals: 'poisson', seed: 5 });
    const run = await openEngine.run(open(400, 1.5), c);
    const expected = createSchedule({ targetRps: 400, durationSec: 1.5, arrivals: 'poisson', seed: 5 }).count;
    expect(expected).not.toBe(600); // a Poisson count, not rate × duration
    expect(run.open!.arrivals).toBe('poisson');
    expect(c.recorder.counts.sent).toBe(expected);
    expect(c.recorder.counts.completed).toBe(expected);
    expect(server.received()).toBe(expected);
  });

  it('closed on 2 threads: the connections split, counts merged exactly, the server saw every request', async () => {
    const server = await fixed(2);
    const c = ctx(server.url, { threads: 2 });
    const run = await closedEngine.run({ name: 'c', model: 'closed', connections: 4, durationSec: 1, judged: true }, c);
    expect(run.threads).toBe(2);
    const counts = c.recorder.counts;
    expect(counts.sent).toBeGreaterThan(100);
    expect(counts.failed).toBe(0);
    expect(counts.sent).toBe(counts.completed + counts.inFlight);
    expect(counts.inFlight).toBeLessThanOrEqual(4);
    expect(server.received()).toBe(counts.sent);
  });
});

describe('saturation from send lag', () => {
  it('flags a run whose sends the generator could not make on time (its event loop blocked), with the reason', async () => {
    const server = await fixed(5);
    const recorder = new Recorder();
    // An artificially slowed send path: the generator's own thread is blocked for 30 ms every 50 ms.
    const hog = setInterval(() => {
      const until = performance.now() + 30;
      while (performance.now() < until);
    }, 50);
    const result = await runOpen({ target: server.url, scenario: adHoc, targetRps: 500, durationSec: 1, recorder });
    clearInterval(hog);
    const phase = summarizePhase({
      phase: open(500, 1),
      recorder,
      elapsedSec: 1,
      open: { ...result, lateThresholdMs: 2 },
      generator: idle,
    }).report;
    expect(phase.generatorSaturated).toBe(true);
    expect(phase.saturationReason).toMatch(/sends \([\d.]+%\) left over 2 ms late/);
    expect(phase.saturationReason).toMatch(/send-lag p99/);
    expect(phase.sendLagMs!.p99).toBeGreaterThan(1);
    // both views are reported: latency from the intended send includes the lag, service time does not
    expect(phase.latencyMs.p99).toBeGreaterThan(phase.serviceTimeMs!.p99);
  });

  it('leaves an easy run unflagged', async () => {
    // Easy: 100 req/s against a 200 ms server, late meaning over 25 ms (the rule allows a send-lag p99 of 20 ms).
    const server = await fixed(200);
    await runOpen({ target: server.url, scenario: adHoc, targetRps: 100, durationSec: 0.5 }); // warm-up, as runs have
    const recorder = new Recorder();
    const result = await runOpen({
      target: server.url,
      scenario: adHoc,
      targetRps: 100,
      durationSec: 3,
      recorder,
      lateThresholdMs: 25,
    });
    const phase = summarizePhase({
      phase: open(100, 3),
      recorder,
      elapsedSec: 3,
      open: { ...result, lateThresholdMs: 25 },
      generator: idle,
    }).report;
    expect(phase.saturationReason).toBeUndefined();
    expect(phase.generatorSaturated).toBe(false);
    expect(phase.requests.completed).toBe(300);
  });
});

describe('answers and tallies from the benchmark’s own responses', () => {
  /** GET /api/users/:id answers {"id": …}; every fifth answer carries the wrong id. Header x-node-id alternates a/b. */
  async function users(): Promise<TestServer> {
    let n = 0;
    return serve((req, res) => {
      n += 1;
      const id = Number(/\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-node-id', n % 2 === 0 ? 'a' : 'b');
      res.end(JSON.stringify({ id: n % 5 === 0 ? id + 1 : id }));
    });
  }
  const scenario = createAdHocScenario({ path: '/api/users/{seed:userId}' });

  it.each([1, 2])(
    'open on %i thread(s): every wrong id counted as wrong-answer, every header tallied',
    async (threads) => {
      const server = await users();
      const c = { ...ctx(server.url, { threads, checkSample: 1, tallyHeader: 'x-node-id' }), scenario };
      const run = await openEngine.run(open(200, 1), c);
      expect(c.recorder.counts).toMatchObject({ sent: 200, completed: 160, failed: 40, inFlight: 0 });
      expect(c.recorder.counts.byError).toEqual({ 'wrong-answer': 40 });
      expect(run.answerChecks).toMatchObject({ sampleFraction: 1, checked: 200, wrong: 40 });
      expect(run.answerChecks!.firstProblem).toMatch(/^GET \/api\/users\/\d+: asked for id \d+, got id \d+$/);
      expect(run.tally).toEqual({ header: 'x-node-id', counts: { a: 100, b: 100 }, missing: 0 });
    },
  );

  it('closed: the same checks and tally through autocannon', async () => {
    const server = await users();
    const c = { ...ctx(server.url, { checkSample: 1, tallyHeader: 'x-node-id' }), scenario };
    const run = await closedEngine.run({ name: 'c', model: 'closed', connections: 2, durationSec: 1, judged: true }, c);
    const counts = c.recorder.counts;
    const answered = counts.completed + counts.failed;
    expect(answered).toBeGreaterThan(50);
    expect(counts.byError['wrong-answer']).toBe(run.answerChecks!.wrong);
    expect(run.answerChecks!.checked).toBe(answered);
    // a fifth of the answers are wrong (± the requests in flight when the phase stopped)
    expect(Math.abs(run.answerChecks!.wrong - server.received() / 5)).toBeLessThanOrEqual(3);
    const tallied = run.tally!.counts.a! + run.tally!.counts.b!;
    expect(tallied).toBe(answered);
    expect(run.tally!.missing).toBe(0);
  });
});

describe('sent means written', () => {
  it('arrivals stuck behind busy connections at the end are unsent, not sent: sent equals what the server saw', async () => {
    // The server never answers, and the pool has 4 connections: 4 requests are written, the rest wait in the pool.
    const server = await serve(() => undefined);
    const result = await runOpen({
      target: server.url,
      scenario: adHoc,
      targetRps: 100,
      durationSec: 0.5,
      maxSockets: 4,
      drainTimeoutMs: 200,
    });
    expect(result.intended).toBe(50);
    expect(result.recorder.counts).toMatchObject({ sent: 4, completed: 0, failed: 0, inFlight: 4 });
    expect(result.unsent).toBe(46);
    expect(server.received()).toBe(4);
  });
});
