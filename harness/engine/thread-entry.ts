// A generator worker thread: runs its share of one phase (engine/threads.ts) and reports back.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { runClosed } from './closed.ts';
import { runOpen } from './open.ts';
import { Recorder } from './recorder.ts';
import type { ThreadJob, ThreadMessage, ThreadResult } from './thread-job.ts';
import { createLoopDelay, loopDelayP99Ms } from '../monitor/loop-delay.ts';
import { parseStat } from '../monitor/proc.ts';

const WINDOW_MS = 1_000;

const port = parentPort!;
const job = workerData as ThreadJob;
const post = (m: ThreadMessage): void => port.postMessage(m);

/** This thread's CPU seconds (Linux: /proc/thread-self/stat utime + stime); undefined elsewhere. */
function threadCpuSec(): number | undefined {
  try {
    return parseStat(readFileSync('/proc/thread-self/stat', 'utf8'))?.cpuSec;
  } catch {
    return undefined;
  }
}

async function run(startAtEpochMs: number): Promise<ThreadResult> {
  const recorder = new Recorder();
  const windows = setInterval(() => post({ type: 'window', window: recorder.takeEncodedWindow() }), WINDOW_MS);
  const loop = createLoopDelay();
  const elu = performance.eventLoopUtilization();
  const cpuBefore = threadCpuSec();
  const startedMs = performance.now();
  const common = {
    target: job.target,
    scenario: job.scenario,
    durationSec: job.durationSec,
    timeoutMs: job.timeoutMs,
    seed: job.seed,
    recorder,
    checkSample: job.checkSample,
    tallyHeader: job.tallyHeader,
  };
  try {
    if (job.model === 'open') {
      const r = await runOpen({
        ...common,
        targetRps: job.targetRps!,
        fromRps: job.fromRps,
        arrivals: job.arrivals,
        lateThresholdMs: job.lateThresholdMs,
        share: job.share,
        startAtMs: startAtEpochMs - performance.timeOrigin,
      });
      const elapsedSec = (performance.now() - startedMs) / 1000;
      return {
        ...figures(elapsedSec, r.spinWaitSec),
        recorder: recorder.snapshot(),
        elapsedSec,
        sendLag: r.sendLag.encode(),
        serviceTime: r.serviceTime.encode(),
        lateSends: r.lateSends,
        unsent: r.unsent,
        resetRetries: r.resetRetries,
        ...(r.answerChecks ? { answerChecks: r.answerChecks } : {}),
        ...(r.tally ? { tally: r.tally } : {}),
      };
    }
    const r = await runClosed({ ...common, connections: job.connections! });
    return {
      ...figures(r.elapsedSec, 0),
      recorder: recorder.snapshot(),
      elapsedSec: r.elapsedSec,
      firstResponse: r.firstResponse.encode(),
      ...(r.answerChecks ? { answerChecks: r.answerChecks } : {}),
      ...(r.tally ? { tally: r.tally } : {}),
    };
  } finally {
    clearInterval(windows);
    loop.disable();
  }

  function figures(elapsedSec: number, spinWaitSec: number): Pick<ThreadResult, 'busyCpuPct' | 'eventLoopP99Ms'> {
    const cpuAfter = threadCpuSec();
    const busySec =
      cpuBefore !== undefined && cpuAfter !== undefined
        ? cpuAfter - cpuBefore - spinWaitSec
        : performance.eventLoopUtilization(elu).utilization * elapsedSec - spinWaitSec;
    return {
      busyCpuPct: Math.round(Math.max(0, busySec / Math.max(elapsedSec, 1e-3)) * 1000) / 10,
      eventLoopP99Ms: loopDelayP99Ms(loop),
    };
  }
}

port.on('message', (m: { type: 'start'; startAtEpochMs: number }) => {
  if (m.type !== 'start') return;
  run(m.startAtEpochMs).then(
    (result) => post({ type: 'done', result }),
    (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
post({ type: 'ready' });
