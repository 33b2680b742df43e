// Runs one phase on several worker threads: each sends its share (open: an interleaved share of the one
// schedule, so the union is exactly the intended arrivals; closed: its share of the connections), records into
// its own histograms, streams a window a second for the live line, and hands back everything at the end; the
// calling thread merges it all exactly (counts add, histogram buckets add — percentiles are never averaged).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LatencyHistogram } from './histogram.ts';
import { mergeAnswerChecks, mergeTallies } from './inspect.ts';
import type { Recorder } from './recorder.ts';
import type { ThreadJob, ThreadMessage, ThreadResult } from './thread-job.ts';
import type { EngineRun, ThreadFigures } from './engine.ts';
import { GeneratorError } from '../errors.ts';

const ENTRY = new URL('./thread-boot.mjs', import.meta.url);
/** Lead time between "go" and the schedule's first arrival, so every thread starts on the same instant. */
const START_LEAD_MS = 20;

/** Runs `jobs` (one per thread) and merges their results into `recorder`; windows stream in meanwhile. */
export async function runInThreads(jobs: ThreadJob[], recorder: Recorder): Promise<EngineRun> {
  const startedMs = performance.now();
  const workers = jobs.map((job) => new Worker(ENTRY, { workerData: job }));
  const stopAll = () => Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  try {
    const ready = workers.map((w) => waitFor(w, 'ready'));
    await Promise.all(ready);
    const startAtEpochMs = performance.timeOrigin + performance.now() + START_LEAD_MS;
    const done = workers.map((w) => {
      w.on('message', (m: ThreadMessage) => {
        if (m.type === 'window') recorder.absorbWindow(m.window);
      });
      const result = waitFor(w, 'done');
      w.postMessage({ type: 'start', startAtEpochMs });
      return result;
    });
    const results = (await Promise.all(done)).map((m) => (m as Extract<ThreadMessage, { type: 'done' }>).result);
    for (const r of results) recorder.absorb(r.recorder);
    recorder.settleStreamed();
    return mergeResults(jobs, results, (performance.now() - startedMs) / 1000);
  } finally {
    await stopAll();
  }
}

function waitFor(worker: Worker, type: ThreadMessage['type']): Promise<ThreadMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ThreadMessage) => {
      if (m.type === 'failed') return reject(new GeneratorError(`generator thread failed: ${m.message}`));
      if (m.type !== type) return;
      worker.off('message', onMessage);
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', (error) => reject(new GeneratorError(`generator thread failed: ${error.message}`)));
    worker.once('exit', (code) => reject(new GeneratorError(`generator thread exited with ${code} before "${type}"`)));
  });
}

function mergeResults(jobs: ThreadJob[], results: ThreadResult[], wallSec: number): EngineRun {
  const threadFigures: ThreadFigures[] = results.map((r) => ({
    busyCpuPct: r.busyCpuPct,
    eventLoopP99Ms: r.eventLoopP99Ms,
  }));
  const answerChecks = mergeAnswerChecks(results.flatMap((r) => (r.answerChecks ? [r.answerChecks] : [])));
  const tally = mergeTallies(results.flatMap((r) => (r.tally ? [r.tally] : [])));
  const common = {
    threads: jobs.length,
    threadFigures,
    ...(answerChecks ? { answerChecks } : {}),
    ...(tally ? { tally } : {}),
  };
  const first = jobs[0]!;
  if (first.model === 'closed') {
    const firstResponse = new LatencyHistogram();
    for (const r of results) if (r.firstResponse) firstResponse.merge(LatencyHistogram.decode(r.firstResponse));
    return { ...common, elapsedSec: Math.max(...results.map((r) => r.elapsedSec)), firstResponse };
  }
  const sendLag = new LatencyHistogram();
  const serviceTime = new LatencyHistogram();
  for (const r of results) {
    sendLag.merge(LatencyHistogram.decode(r.sendLag!));
    serviceTime.merge(LatencyHistogram.decode(r.serviceTime!));
  }
  const sent = results.reduce((n, r) => n + r.recorder.counts.sent, 0);
  return {
    ...common,
    elapsedSec: wallSec,
    open: {
      achievedRps: sent / first.durationSec,
      lateSends: results.reduce((n, r) => n + (r.lateSends ?? 0), 0),
      unsent: results.reduce((n, r) => n + (r.unsent ?? 0), 0),
      resetRetries: results.reduce((n, r) => n + (r.resetRetries ?? 0), 0),
      lateThresholdMs: first.lateThresholdMs ?? 2,
      sendLag,
      serviceTime,
      arrivals: first.arrivals ?? 'uniform',
    },
  };
}
