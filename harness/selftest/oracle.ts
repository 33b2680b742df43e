// The self-test oracle: an HTTP server whose latency is known exactly (fixed service time plus periodic whole-server stalls).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';
import { LatencyHistogram, type LatencySummaryMs } from '../engine/histogram.ts';
import type { AddressInfo } from 'node:net';

export interface OracleTiming {
  /** Every request is answered this long after it starts being served. */
  serviceMs: number;
  /** Every `stallPeriodMs` the server stalls for `stallMs` (stalls start at each period boundary). */
  stallPeriodMs?: number;
  stallMs?: number;
}

export interface Oracle {
  url: string;
  port: number;
  /** Requests received so far (counted on arrival, whether or not answered yet). */
  count(): Promise<number>;
  /**
   * How long the oracle really held the requests it answered since the previous call (from arrival to its
   * answer): its model's timing plus its own lateness, which a loaded machine makes visible.
   */
  takeHeld(): Promise<OracleHeld>;
  close(): Promise<void>;
}

export interface OracleHeld {
  answered: number;
  heldMs: LatencySummaryMs;
}

/** When a request arriving at `arrivalMs` (from the oracle's epoch) is answered: max(arrival, stall end) + service. */
export function answerAtMs(timing: OracleTiming, arrivalMs: number): number {
  const { stallPeriodMs, stallMs } = timing;
  let startMs = arrivalMs;
  if (stallPeriodMs && stallMs) {
    const phaseMs = arrivalMs % stallPeriodMs;
    if (phaseMs < stallMs) startMs = arrivalMs + (stallMs - phaseMs);
  }
  return startMs + timing.serviceMs;
}

/**
 * A timer thread for the oracle: it sleeps in Atomics.wait (a futex with a microsecond timeout, no
 * spinning) until the armed due time, then posts one message. setTimeout would not do: libuv's clock
 * has whole milliseconds, so a 2 ms answer would leave 2–3 ms after its arrival.
 */
const TIMER_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const seq = new Int32Array(workerData, 0, 1);
const due = new Float64Array(workerData, 8, 1);
const now = () => Number(process.hrtime.bigint()) / 1e6;
for (;;) {
  const s = Atomics.load(seq, 0);
  if (s < 0) break;
  const d = due[0];
  if (Number.isNaN(d)) { Atomics.wait(seq, 0, s); continue; }
  const waitMs = d - now();
  if (waitMs > 0) { Atomics.wait(seq, 0, s, waitMs); continue; }
  parentPort.postMessage(s);
  Atomics.wait(seq, 0, s);
}`;

/** The oracle's clock: monotonic, in ms, shared by the main thread and the timer thread. */
const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function startOracle(timing: OracleTiming): Promise<Oracle> {
  const epoch = clockMs();
  // Answer times never decrease with arrival time, so a FIFO queue and one timer are enough.
  const queue: { arrivalMs: number; dueMs: number; res: ServerResponse }[] = [];
  let received = 0;
  const shared = new SharedArrayBuffer(16);
  const seq = new Int32Array(shared, 0, 1);
  const due = new Float64Array(shared, 8, 1);
  due[0] = Number.NaN;
  const timer = new Worker(TIMER_THREAD, { eval: true, workerData: shared });
  timer.unref();
  let armed = false;
  const held = new LatencyHistogram();

  const arm = (): void => {
    if (armed || queue.length === 0) return;
    armed = true;
    due[0] = epoch + queue[0]!.dueMs;
    Atomics.add(seq, 0, 1);
    Atomics.notify(seq, 0);
  };
  timer.on('message', () => {
    armed = false;
    const now = clockMs() - epoch;
    while (queue.length > 0 && queue[0]!.dueMs <= now) {
      const { arrivalMs, res } = queue.shift()!;
      if (!res.destroyed) res.end('ok');
      // Held until the answer was written (a burst of answers leaves one after another): what this run really did.
      held.recordMs(clockMs() - epoch - arrivalMs);
    }
    due[0] = Number.NaN;
    arm();
  });

  const server = createServer({ keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
    received += 1;
    const arrivalMs = clockMs() - epoch;
    req.resume();
    res.setHeader('content-type', 'text/plain');
    queue.push({ arrivalMs, dueMs: answerAtMs(timing, arrivalMs), res });
    arm();
  });
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    count: async () => received,
    takeHeld: async () => {
      const taken = { answered: held.count, heldMs: held.summarizeMs() };
      held.reset();
      return taken;
    },
    close: async () => {
      Atomics.store(seq, 0, -1);
      Atomics.notify(seq, 0);
      await timer.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
