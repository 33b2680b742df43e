// Open model: arrivals on a fixed schedule over keep-alive connections of our own (engine/http1.ts); latency
// counts from each request's intended send time, service time from its actual write. One call runs on the calling thread; several threads each run
// an interleaved share of the one schedule (engine/threads.ts).
import { performance } from 'node:perf_hooks';
import { encodeRequest, Http1Pool, type Http1Error, type Http1Handler } from './http1.ts';
import { Recorder } from './recorder.ts';
import { LatencyHistogram } from './histogram.ts';
import { classifyError } from './accounting.ts';
import { isSuccessStatus } from '../scenario/answer.ts';
import { createSchedule, type ArrivalSchedule } from './schedule.ts';
import { AnswerSampler, HeaderCounter } from './inspect.ts';
import { needsBody, prepareRequest, Session, isStaticScenario, type PreparedRequest } from '../scenario/session.ts';
import type { Scenario } from '../scenario/types.ts';
import type { AnswerChecks, Arrivals, HeaderTally } from '../report/model.ts';

export interface OpenOptions {
  target: string;
  scenario: Scenario;
  targetRps: number;
  /** When set, the rate ramps linearly from this to targetRps over the phase. */
  fromRps?: number;
  durationSec: number;
  arrivals?: Arrivals;
  timeoutMs?: number;
  /** A send is late when it leaves more than this after its intended time (default 2 ms). */
  lateThresholdMs?: number;
  /** How long to wait after the schedule ends for requests still in flight; the rest count as in flight. */
  drainTimeoutMs?: number;
  maxSockets?: number;
  recorder?: Recorder;
  seed?: number;
  /** A pool shared across phases (warm-up warms its connections); the caller closes it. */
  pool?: Http1Pool;
  /** This thread sends arrivals share.index, share.index + share.count, …; default: all of them. */
  share?: { index: number; count: number };
  /** When the schedule starts, in this thread's performance.now() ms (threads agree on one instant); default now. */
  startAtMs?: number;
  /** Share of responses whose answer is checked (engine/inspect.ts); default 0. */
  checkSample?: number;
  /** Count this response header's values (lower-case name). */
  tallyHeader?: string;
}

export interface OpenRunResult {
  recorder: Recorder;
  intended: number;
  lateSends: number;
  /** Idempotent requests sent again once because their reused keep-alive socket closed under them. */
  resetRetries: number;
  sendLag: LatencyHistogram;
  /** Latency from each request's actual send (the recorder's histogram counts from the intended send). */
  serviceTime: LatencyHistogram;
  scheduleSec: number;
  achievedRps: number;
  /**
   * Arrivals handed to the connection pool that were never written to a socket by the end of the drain (every
   * connection busy): the server never saw them, so they are not in `sent`; they count as held, not served.
   */
  unsent: number;
  arrivals: Arrivals;
  /** Time spent spinning to a due send on purpose: not busy work (see saturation.ts). */
  spinWaitSec: number;
  answerChecks?: AnswerChecks;
  tally?: HeaderTally;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/**
 * Node's timers fire up to ~1 ms late: the engine sleeps on a timer until this close to the next due send, then
 * sleeps the thread (nothing outstanding) or turns the event loop (setImmediate still serves I/O) until it is due.
 */
const SPIN_WINDOW_MS = 1.5;
/**
 * While answers are outstanding the loop naps (a futex wait) for this share of the mean service time instead of
 * spinning, within [MIN_NAP_MS, MAX_NAP_MS]; below MIN_NAP_MS it spins. Against a SUT answering in 20 ms a
 * nap is 0.4 ms (an answer read at most that late, 1% of its latency on average) and the generator's core is
 * free; against nginx's 0.05 ms it spins.
 */
const NAP_SHARE = 0.02;
const MIN_NAP_MS = 0.02;
const MAX_NAP_MS = 0.5;
/** Weight of each answer in the running mean of the service time. */
const SERVICE_MEAN_WEIGHT = 0.05;
/** A futex wait wakes up to ~50 µs late (the kernel's timer slack): wake this much before the due time. */
const WAKE_EARLY_MS = 0.05;
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
/** A generator that fell behind sends at most this many before it lets the event loop read responses. */
const MAX_SENDS_PER_TURN = 256;
/** A loop turn shorter than this did nothing but spin (an empty turn is ~3 µs; one that reads an answer ~15 µs or more): idle. */
const IDLE_TURN_MS = 0.01;

/** Sockets enough that the schedule never waits for a connection: rate × timeout, within the fd budget. */
export function defaultMaxSockets(targetRps: number, timeoutMs: number): number {
  return Math.max(16, Math.min(8192, Math.ceil((targetRps * timeoutMs) / 1000) + 16));
}

export function createOpenPool(target: string, opts: { timeoutMs: number; maxSockets: number }): Http1Pool {
  return new Http1Pool(target, { maxConnections: opts.maxSockets, timeoutMs: opts.timeoutMs });
}

/** Connections opened before the schedule starts (no request on them): about one per 2,000 req/s. */
function preconnectCount(rate: number, maxSockets: number): number {
  return Math.min(maxSockets, Math.max(2, Math.ceil(rate / 2000)));
}

let clockReading: number | undefined;
const forgetReading = (): void => {
  clockReading = undefined;
};

/**
 * The time responses arrived: one reading per event-loop poll. Every socket the poll found readable already
 * holds its answer, so a burst of answers over many connections (a server releasing a stall) gets the time the
 * burst was there, not a time that grows with each answer parsed before it (~20 µs each on a busy core).
 */
function readClock(): number {
  if (clockReading === undefined) {
    clockReading = performance.now();
    setImmediate(forgetReading); // the check phase, right after this poll's callbacks
  }
  return clockReading;
}

interface Engine {
  pool: Http1Pool;
  /** A running mean of the service time (ms): how long a nap may delay reading an answer (see SendLoop). */
  serviceMeanMs: number;
  recorder: Recorder;
  sendLag: LatencyHistogram;
  serviceTime: LatencyHistogram;
  sampler: AnswerSampler | undefined;
  tally: HeaderCounter | undefined;
  closed: boolean;
  outstanding: number;
  /** Requests written to a socket (or failed trying): what `sent` counts. */
  written: number;
  resetRetries: number;
  onIdle: (() => void) | undefined;
}

/** One request's exchange with the server: the handler the connection pool calls back, no promise per request. */
class Exchange implements Http1Handler {
  private retried = false;
  private written = false;

  constructor(
    private readonly engine: Engine,
    private readonly lent: Lent,
    private readonly intendedAt: number,
    private sentAt: number,
    private readonly checked: boolean,
  ) {}

  /** Hands the request to the pool; a resend goes on a new connection (see onError). */
  send(resend = false): void {
    const { lent } = this;
    const request = {
      bytes: lent.bytes,
      head: lent.request.method === 'HEAD',
      wantHeaders: this.engine.tally !== undefined,
      wantBody: this.checked || lent.wantBody,
      handler: this,
    };
    if (resend) this.engine.pool.requestOnNewConnection(request);
    else this.engine.pool.request(request);
  }

  /** The pool wrote the request to a connection: only now is it sent (the server can count it). */
  onWritten(): void {
    this.sentAt = performance.now();
    this.markSent();
  }

  onResponse(status: number, rawHeaders: string[] | undefined, body: Buffer | undefined): void {
    const engine = this.engine;
    const now = readClock();
    const bodyText = body?.toString('utf8');
    this.finish(bodyText);
    if (engine.closed) return;
    if (engine.tally && rawHeaders) engine.tally.count(rawHeaders);
    const { step, path } = this.lent.request;
    const success = isSuccessStatus(status, step.expectStatus);
    const problem = success && this.checked ? engine.sampler!.check(step, status, bodyText ?? '', path) : undefined;
    if (problem !== undefined) engine.recorder.recordError(step.name, 'wrong-answer');
    else engine.recorder.recordResponse(step.name, status, success, (now - this.intendedAt) * 1000);
    engine.serviceTime.recordUs((now - this.sentAt) * 1000);
    engine.serviceMeanMs += SERVICE_MEAN_WEIGHT * (now - this.sentAt - engine.serviceMeanMs);
  }

  onError(error: Http1Error): void {
    const engine = this.engine;
    // A server that closes an idle keep-alive socket (a draining worker, an LB) races a client sending on
    // it. Browsers and load balancers resend an idempotent request once on a new connection; so do we,
    // counted, with latency still from the first intended send time.
    if (
      !engine.closed &&
      !this.retried &&
      error.reused &&
      IDEMPOTENT.has(this.lent.request.method) &&
      classifyError(error) === 'ECONNRESET'
    ) {
      this.retried = true;
      engine.resetRetries += 1;
      this.send(true);
      return;
    }
    this.finish(undefined);
    if (engine.closed) return;
    this.markSent(); // a request that failed before it was written (a refused connection) was still attempted
    engine.recorder.recordError(this.lent.request.step.name, classifyError(error));
  }

  private markSent(): void {
    if (this.written || this.engine.closed) return;
    this.written = true;
    this.engine.written += 1;
    this.engine.recorder.recordSent(this.lent.request.step.name);
  }

  private finish(bodyText: string | undefined): void {
    this.lent.release(bodyText);
    const engine = this.engine;
    engine.outstanding -= 1;
    if (engine.outstanding === 0) engine.onIdle?.();
  }
}

export async function runOpen(opts: OpenOptions): Promise<OpenRunResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const lateThresholdMs = opts.lateThresholdMs ?? 2;
  const share = opts.share ?? { index: 0, count: 1 };
  const arrivals = opts.arrivals ?? 'uniform';
  const schedule = createSchedule({ ...opts, arrivals });
  const ownRate = Math.max(opts.targetRps, opts.fromRps ?? 0) / share.count;
  const maxSockets = opts.maxSockets ?? defaultMaxSockets(ownRate, timeoutMs);
  const pool = opts.pool ?? createOpenPool(opts.target, { timeoutMs, maxSockets });
  await pool.preconnect(preconnectCount(ownRate, maxSockets));
  const engine: Engine = {
    pool,
    recorder: opts.recorder ?? new Recorder(),
    sendLag: new LatencyHistogram(),
    serviceTime: new LatencyHistogram(),
    sampler: opts.checkSample ? new AnswerSampler(opts.checkSample, (opts.seed ?? 1) + share.index) : undefined,
    tally: opts.tallyHeader ? new HeaderCounter(opts.tallyHeader) : undefined,
    closed: false,
    outstanding: 0,
    serviceMeanMs: 0,
    written: 0,
    resetRetries: 0,
    onIdle: undefined,
  };
  const source = createRequestSource(opts.scenario, pool.url, (opts.seed ?? 1) + share.index * 1_000_003);
  let lateSends = 0;
  let dispatched = 0;

  const send = (intendedAt: number, now: number): void => {
    const lent = source.take();
    const lagMs = now - intendedAt;
    engine.sendLag.recordUs(lagMs > 0 ? lagMs * 1000 : 0);
    if (lagMs > lateThresholdMs) lateSends += 1;
    engine.outstanding += 1;
    dispatched += 1;
    const checked = engine.sampler?.take() ?? false;
    new Exchange(engine, lent, intendedAt, now, checked).send();
  };

  const startedAt = opts.startAtMs ?? performance.now();
  const loop = new SendLoop(schedule, startedAt, share, send, engine);
  await loop.run();
  const spinIdleMs = loop.spinIdleMs;
  const scheduleSec = opts.durationSec;
  await waitForDrain(engine, opts.drainTimeoutMs ?? Math.min(timeoutMs, 5_000), startedAt + scheduleSec * 1000);
  engine.closed = true; // requests still outstanding stay counted as in flight; their late answers or aborts are ignored
  if (!opts.pool) await pool.close();
  return {
    recorder: engine.recorder,
    intended: schedule.count,
    lateSends,
    resetRetries: engine.resetRetries,
    sendLag: engine.sendLag,
    serviceTime: engine.serviceTime,
    scheduleSec,
    achievedRps: engine.written / scheduleSec,
    unsent: dispatched - engine.written,
    arrivals,
    spinWaitSec: spinIdleMs / 1000,
    ...(engine.sampler ? { answerChecks: engine.sampler.report() } : {}),
    ...(engine.tally ? { tally: engine.tally.report() } : {}),
  };
}

/**
 * Sends each arrival of this thread's share when it is due. Its state lives in fields, not in a closure's
 * variables: a number written to a closure variable is a new heap object each time, and this loop turns
 * hundreds of thousands of times a second at high rates — that garbage was most of the collector's work.
 */
class SendLoop {
  spinIdleMs = 0;
  private index: number;
  private lastSpinAt = -1;
  private resolve: () => void = () => undefined;
  private readonly tick = (): void => this.turn();

  constructor(
    private readonly schedule: ArrivalSchedule,
    private readonly startedAt: number,
    private readonly share: { index: number; count: number },
    private readonly send: (intendedAt: number, now: number) => void,
    private readonly engine: Engine,
  ) {
    this.index = share.index;
  }

  run(): Promise<void> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.turn();
    });
  }

  private turn(): void {
    const { schedule, startedAt } = this;
    let now = performance.now();
    // A spin turn that came straight back (nothing else ran in between) was idle, not work.
    if (this.lastSpinAt >= 0 && now - this.lastSpinAt < IDLE_TURN_MS) this.spinIdleMs += now - this.lastSpinAt;
    this.lastSpinAt = -1;
    let batch = 0;
    let index = this.index;
    while (index < schedule.count) {
      const due = startedAt + schedule.intendedMs(index);
      if (due > now) break;
      this.send(due, now);
      index += this.share.count;
      now = performance.now();
      if (++batch >= MAX_SENDS_PER_TURN) break;
    }
    this.index = index;
    if (index >= schedule.count) return this.resolve();
    const waitMs = startedAt + schedule.intendedMs(index) - now;
    if (batch >= MAX_SENDS_PER_TURN) {
      setImmediate(this.tick); // behind schedule: let responses in before sending the rest (they count as late)
    } else if (waitMs > SPIN_WINDOW_MS) {
      setTimeout(this.tick, waitMs - SPIN_WINDOW_MS);
    } else if (this.engine.outstanding === 0 && waitMs > WAKE_EARLY_MS) {
      // Nothing can arrive while nothing is outstanding: sleep the thread (a futex wait, no CPU) to just
      // before the due time instead of turning the loop.
      Atomics.wait(SLEEP_CELL, 0, 0, waitMs - WAKE_EARLY_MS);
      setImmediate(this.tick);
    } else if (this.napMs() > 0 && waitMs > WAKE_EARLY_MS) {
      // Answers are outstanding but slow (a SUT's milliseconds, not nginx's microseconds): nap briefly and
      // then poll, instead of spinning a core that a SUT on the same machine needs. An answer arriving during
      // a nap is read up to napMs late: at most NAP_SHARE of the mean service time, and never over MAX_NAP_MS.
      Atomics.wait(SLEEP_CELL, 0, 0, Math.min(this.napMs(), waitMs - WAKE_EARLY_MS));
      setImmediate(this.tick);
    } else {
      this.lastSpinAt = performance.now();
      setImmediate(this.tick);
    }
  }

  /** How long the thread may sleep while answers are outstanding; 0 = spin (answers come back too fast). */
  private napMs(): number {
    const nap = Math.min(MAX_NAP_MS, NAP_SHARE * this.engine.serviceMeanMs);
    return nap >= MIN_NAP_MS ? nap : 0;
  }
}

/** Resolves when nothing is outstanding, or when the drain deadline (measured from the schedule's end) passes. */
function waitForDrain(engine: Engine, drainTimeoutMs: number, scheduleEndMs: number): Promise<void> {
  if (engine.outstanding === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const waitMs = Math.max(0, scheduleEndMs + drainTimeoutMs - performance.now());
    const timer = setTimeout(resolve, waitMs);
    engine.onIdle = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

interface Lent {
  request: PreparedRequest;
  /** The request as written to the socket. */
  bytes: Buffer;
  /** The step captures from its body. */
  wantBody: boolean;
  release: (bodyText: string | undefined) => void;
}

interface RequestSource {
  take(): Lent;
}

function lend(origin: URL, request: PreparedRequest, release: Lent['release']): Lent {
  const bytes = encodeRequest(origin, request.method, request.path, request.headers, request.body);
  return { request, bytes, wantBody: needsBody(request.step), release };
}

/** Static scenarios reuse one prepared request; others lend an idle session per arrival (busy or thinking sessions are skipped). */
function createRequestSource(scenario: Scenario, origin: URL, seed: number): RequestSource {
  if (isStaticScenario(scenario)) {
    const step = scenario.journeys[0]!.steps[0]!;
    const lent = lend(origin, prepareRequest(step, { random: Math.random, seq: 0, vars: {} }), () => undefined);
    return { take: () => lent };
  }
  const idle: Session[] = [];
  let created = 0;
  return {
    take() {
      const session = idle.pop() ?? new Session(scenario, seed + created++);
      const request = session.next();
      return lend(origin, request, (bodyText) => {
        session.onResponse(request.step, bodyText);
        const thinkMs = request.step.thinkTimeMs;
        if (thinkMs > 0) setTimeout(() => idle.push(session), thinkMs).unref();
        else idle.push(session);
      });
    },
  };
}
