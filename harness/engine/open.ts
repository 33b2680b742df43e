// Open model: arrivals on a fixed schedule over an undici Pool; latency counts from each request's intended send time.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { Recorder } from './recorder.ts';
import { LatencyHistogram } from './histogram.ts';
import { classifyError, isSuccessStatus } from './accounting.ts';
import { createSchedule } from './schedule.ts';
import { needsBody, prepareRequest, Session, isStaticScenario, type PreparedRequest } from '../scenario/session.ts';
import type { Scenario } from '../scenario/types.ts';

export interface OpenOptions {
  target: string;
  scenario: Scenario;
  targetRps: number;
  /** When set, the rate ramps linearly from this to targetRps over the phase. */
  fromRps?: number;
  durationSec: number;
  timeoutMs?: number;
  /** A send is late when it leaves more than this after its intended time (default 2 ms: one timer tick of slack). */
  lateThresholdMs?: number;
  /** How long to wait after the schedule ends for requests still in flight; the rest count as in flight. */
  drainTimeoutMs?: number;
  maxSockets?: number;
  recorder?: Recorder;
  seed?: number;
  /** A pool shared across phases (warm-up warms its connections); the caller closes it. */
  pool?: Pool;
}

export interface OpenRunResult {
  recorder: Recorder;
  intended: number;
  lateSends: number;
  /** Idempotent requests sent again once because their reused keep-alive socket closed under them. */
  resetRetries: number;
  sendLag: LatencyHistogram;
  serviceTime: LatencyHistogram;
  scheduleSec: number;
  achievedRps: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Sockets enough that the schedule never waits for a connection: rate × timeout, within the fd budget. */
export function defaultMaxSockets(targetRps: number, timeoutMs: number): number {
  return Math.max(16, Math.min(8192, Math.ceil((targetRps * timeoutMs) / 1000) + 16));
}

export function createOpenPool(target: string, opts: { timeoutMs: number; maxSockets: number }): Pool {
  return new Pool(target, {
    connections: opts.maxSockets,
    pipelining: 1,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    keepAliveTimeout: 60_000,
  });
}

export async function runOpen(opts: OpenOptions): Promise<OpenRunResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const lateThresholdMs = opts.lateThresholdMs ?? 2;
  const recorder = opts.recorder ?? new Recorder();
  const pool =
    opts.pool ??
    createOpenPool(opts.target, {
      timeoutMs,
      maxSockets: opts.maxSockets ?? defaultMaxSockets(Math.max(opts.targetRps, opts.fromRps ?? 0), timeoutMs),
    });
  const schedule = createSchedule(opts);
  const source = createRequestSource(opts.scenario, opts.seed ?? 1);
  const sendLag = new LatencyHistogram();
  const serviceTime = new LatencyHistogram();
  let closed = false;
  let outstanding = 0;
  let lateSends = 0;
  let resetRetries = 0;
  let onIdle: (() => void) | undefined;

  // Timeouts are undici's headersTimeout/bodyTimeout (no per-request timer): exact up to 1 s, within ~1 s beyond.
  const send = (intendedAt: number, now: number): void => {
    const { request, release } = source.take();
    const lagMs = now - intendedAt;
    sendLag.recordMs(Math.max(0, lagMs));
    if (lagMs > lateThresholdMs) lateSends += 1;
    const name = request.step.name;
    recorder.recordSent(name);
    outstanding += 1;
    const attempt = () =>
      pool.request({
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
    attempt()
      .catch((error: unknown) => {
        // A server that closes an idle keep-alive socket (a draining worker, an LB) races a client
        // sending on it. Browsers and load balancers resend an idempotent request once on a new
        // connection; so do we, counted, with latency still from the first intended send time.
        if (closed || !IDEMPOTENT.has(request.method.toUpperCase()) || classifyError(error) !== 'ECONNRESET')
          throw error;
        resetRetries += 1;
        return attempt();
      })
      .then(async (res) => {
        const bodyText = needsBody(request.step) ? await res.body.text() : (await res.body.dump(), undefined);
        if (closed) return;
        const latencyUs = (performance.now() - intendedAt) * 1000;
        recorder.recordResponse(
          name,
          res.statusCode,
          isSuccessStatus(res.statusCode, request.step.expectStatus),
          latencyUs,
        );
        release(bodyText);
      })
      .catch((error: unknown) => {
        if (!closed) recorder.recordError(name, classifyError(error));
        release(undefined);
      })
      .finally(() => {
        outstanding -= 1;
        if (outstanding === 0) onIdle?.();
      });
  };

  const startedAt = performance.now();
  await new Promise<void>((resolve) => {
    let index = 0;
    const tick = (): void => {
      const now = performance.now();
      while (index < schedule.count && startedAt + schedule.intendedMs(index) <= now) {
        send(startedAt + schedule.intendedMs(index), now);
        index += 1;
      }
      if (index >= schedule.count) return resolve();
      setTimeout(tick, Math.max(0, startedAt + schedule.intendedMs(index) - performance.now()));
    };
    tick();
  });
  const scheduleSec = opts.durationSec;
  await waitForDrain(
    () => outstanding,
    (fn) => (onIdle = fn),
    opts.drainTimeoutMs ?? Math.min(timeoutMs, 5_000),
    startedAt + scheduleSec * 1000,
  );
  closed = true; // requests still outstanding stay counted as in flight; their late answers or aborts are ignored
  if (!opts.pool) await pool.destroy().catch(() => undefined);
  return {
    recorder,
    intended: schedule.count,
    lateSends,
    resetRetries,
    sendLag,
    serviceTime,
    scheduleSec,
    achievedRps: recorder.counts.sent / scheduleSec,
  };
}

/** Resolves when nothing is outstanding, or when the drain deadline (measured from the schedule's end) passes. */
function waitForDrain(
  outstanding: () => number,
  setOnIdle: (fn: () => void) => void,
  drainTimeoutMs: number,
  scheduleEndMs: number,
): Promise<void> {
  if (outstanding() === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const waitMs = Math.max(0, scheduleEndMs + drainTimeoutMs - performance.now());
    const timer = setTimeout(resolve, waitMs);
    setOnIdle(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

interface RequestSource {
  take(): { request: PreparedRequest; release: (bodyText: string | undefined) => void };
}

/** Static scenarios reuse one prepared request; others lend an idle session per arrival (busy or thinking sessions are skipped). */
function createRequestSource(scenario: Scenario, seed: number): RequestSource {
  if (isStaticScenario(scenario)) {
    const step = scenario.journeys[0]!.steps[0]!;
    const request = prepareRequest(step, { random: Math.random, seq: 0, vars: {} });
    const release = (): void => undefined;
    return { take: () => ({ request, release }) };
  }
  const idle: Session[] = [];
  let created = 0;
  return {
    take() {
      const session = idle.pop() ?? new Session(scenario, seed + created++);
      const request = session.next();
      const release = (bodyText: string | undefined): void => {
        session.onResponse(request.step, bodyText);
        const thinkMs = request.step.thinkTimeMs;
        if (thinkMs > 0) setTimeout(() => idle.push(session), thinkMs).unref();
        else idle.push(session);
      };
      return { request, release };
    },
  };
}
