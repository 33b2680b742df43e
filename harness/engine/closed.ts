// Closed model: a fixed number of connections as fast as they go, driven by autocannon; every response feeds our histogram.
import { performance } from 'node:perf_hooks';
import autocannon, { type AutocannonClient, type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { Recorder } from './recorder.ts';
import { LatencyHistogram } from './histogram.ts';
import { classifyError, isSuccessStatus } from './accounting.ts';
import { isStaticScenario, Session } from '../scenario/session.ts';
import type { Scenario, Step } from '../scenario/types.ts';

export interface ClosedOptions {
  target: string;
  scenario: Scenario;
  connections: number;
  durationSec: number;
  /** Send exactly this many requests instead of running for durationSec. */
  amount?: number;
  timeoutMs?: number;
  recorder?: Recorder;
  seed?: number;
}

export interface ClosedRunResult {
  recorder: Recorder;
  elapsedSec: number;
  /** Latency of each connection's first response, kept apart: it includes TCP connect and client start-up. */
  firstResponse: LatencyHistogram;
}

interface ClientContext extends Record<string, unknown> {
  session?: Session;
  step?: Step;
}

/**
 * Runs one closed phase. Think time is not applied: autocannon's connections never pause,
 * so a closed phase measures capacity; use the open model for paced journeys.
 */
export function runClosed(opts: ClosedOptions): Promise<ClosedRunResult> {
  const recorder = opts.recorder ?? new Recorder();
  const staticStep = isStaticScenario(opts.scenario) ? opts.scenario.journeys[0]!.steps[0]! : undefined;
  const stepOf = (client: AutocannonClient): Step =>
    staticStep ?? ((client.requestIterator.context as ClientContext).step as Step);
  let clientCount = 0;
  const firstResponse = new LatencyHistogram();

  const setupClient = (client: AutocannonClient): void => {
    if (staticStep) client.on('request', () => recorder.recordSent(staticStep.name));
    else attachSession(client, new Session(opts.scenario, (opts.seed ?? 1) + clientCount++));
    let first = true;
    client.on('response', (status: number, _bytes: number, responseTimeMs: number) => {
      const step = stepOf(client);
      const success = isSuccessStatus(status, step.expectStatus);
      if (first) {
        // Counted like any other response, but its latency (connect + autocannon building every client) is not the server's.
        first = false;
        firstResponse.recordUs(responseTimeMs * 1000);
        recorder.recordResponse(step.name, status, success, undefined);
        return;
      }
      recorder.recordResponse(step.name, status, success, responseTimeMs * 1000);
    });
    client.on('connError', (error: unknown) => recorder.recordError(stepOf(client).name, classifyError(error)));
    client.on('timeout', () => recorder.recordError(stepOf(client).name, 'timeout'));
  };

  const options: AutocannonOptions = {
    url: opts.target,
    connections: opts.connections,
    duration: opts.durationSec,
    amount: opts.amount,
    timeout: Math.max(1, Math.round((opts.timeoutMs ?? 10_000) / 1000)),
    sampleInt: 100, // autocannon stops on its next sample tick: keep the overrun under 100 ms
    setupClient,
    ...(staticStep ? staticRequest(staticStep) : { requests: [dynamicRequest(opts.scenario, recorder)] }),
  };
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    autocannon(options, (error) => {
      if (error) return reject(error);
      resolve({ recorder, elapsedSec: (performance.now() - startedAt) / 1000, firstResponse });
    });
  });
}

function staticRequest(step: Step): Partial<AutocannonOptions> {
  return { method: step.method, headers: step.headers, body: step.body, requests: [{ path: step.path }] };
}

/** One request entry whose setupRequest asks the client's session for the next step. */
function dynamicRequest(scenario: Scenario, recorder: Recorder): AutocannonRequest {
  const capturing = scenario.journeys.some((j) => j.steps.some((s) => s.capture));
  const request: AutocannonRequest = {
    setupRequest(req, context) {
      const session = (context as ClientContext).session;
      if (!session) return req; // built before setupClient attached the session; rebuilt there, never sent
      const next = session.next();
      (context as ClientContext).step = next.step;
      recorder.recordSent(next.step.name);
      return { ...req, method: next.method, path: next.path, headers: next.headers, body: next.body ?? '' };
    },
  };
  if (capturing) {
    request.onResponse = (_status, body, context) => {
      const { session, step } = context as ClientContext;
      if (session && step) session.onResponse(step, body);
    };
  }
  return request;
}

/**
 * autocannon replaces a client's context after every pass over `requests` and builds the first request
 * before setupClient runs, so keep one context per client and rebuild that first request with it.
 */
function attachSession(client: AutocannonClient, session: Session): void {
  const iterator = client.requestIterator;
  const context: ClientContext = { session };
  iterator.context = context;
  iterator.resetContext = () => {
    iterator.context = context;
  };
  iterator.rebuildRequest();
}
