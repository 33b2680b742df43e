// Closed model: a fixed number of connections as fast as they go, driven by autocannon; every response feeds our histogram.
import { performance } from 'node:perf_hooks';
import autocannon, { type AutocannonClient, type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { Recorder } from './recorder.ts';
import { LatencyHistogram } from './histogram.ts';
import { classifyError } from './accounting.ts';
import { isSuccessStatus } from '../scenario/answer.ts';
import { AnswerSampler, HeaderCounter } from './inspect.ts';
import { isStaticScenario, Session } from '../scenario/session.ts';
import type { Scenario, Step } from '../scenario/types.ts';
import type { AnswerChecks, HeaderTally } from '../report/model.ts';

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
  /** Share of responses whose answer is checked (engine/inspect.ts); default 0. */
  checkSample?: number;
  /** Count this response header's values (lower-case name). */
  tallyHeader?: string;
}

export interface ClosedRunResult {
  recorder: Recorder;
  elapsedSec: number;
  /** Latency of each connection's first response, kept apart: it includes TCP connect and client start-up. */
  firstResponse: LatencyHistogram;
  answerChecks?: AnswerChecks;
  tally?: HeaderTally;
}

interface ClientContext extends Record<string, unknown> {
  session?: Session;
  step?: Step;
  /** The path of the request in flight (for the answer check's id). */
  path?: string;
  /** Set by the answer check when the response just read is wrong; read and cleared by the response listener. */
  wrong?: boolean;
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
  const sampler = opts.checkSample ? new AnswerSampler(opts.checkSample, opts.seed ?? 1) : undefined;
  const tally = opts.tallyHeader ? new HeaderCounter(opts.tallyHeader) : undefined;

  const setupClient = (client: AutocannonClient): void => {
    if (staticStep) client.on('request', () => recorder.recordSent(staticStep.name));
    else attachSession(client, new Session(opts.scenario, (opts.seed ?? 1) + clientCount++));
    let first = true;
    if (tally) client.on('headers', (info: { headers: string[] }) => tally.count(info.headers));
    client.on('response', (status: number, _bytes: number, responseTimeMs: number) => {
      const step = stepOf(client);
      const context = client.requestIterator.context as ClientContext;
      if (context.wrong) {
        context.wrong = false;
        first = false;
        recorder.recordError(step.name, 'wrong-answer');
        return;
      }
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
  if (sampler) checkAnswers(options.requests!, sampler, staticStep);
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    autocannon(options, (error) => {
      if (error) return reject(error);
      resolve({
        recorder,
        elapsedSec: (performance.now() - startedAt) / 1000,
        firstResponse,
        ...(sampler ? { answerChecks: sampler.report() } : {}),
        ...(tally ? { tally: tally.report() } : {}),
      });
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
      (context as ClientContext).path = next.path;
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
 * Wraps each request's onResponse (autocannon calls it with the body before it emits 'response') so a sampled
 * share of answers is checked; a wrong one is flagged on the client's context for the response listener.
 */
function checkAnswers(requests: AutocannonRequest[], sampler: AnswerSampler, staticStep: Step | undefined): void {
  for (const request of requests) {
    const inner = request.onResponse;
    request.onResponse = (status, body, context) => {
      inner?.(status, body, context);
      const ctx = context as ClientContext;
      const step = staticStep ?? ctx.step;
      if (!step || !sampler.take() || !isSuccessStatus(status, step.expectStatus)) return;
      const path = ctx.path ?? staticStep?.path ?? '/';
      if (sampler.check(step, status, body, path) !== undefined) ctx.wrong = true;
    };
  }
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
