// The self-test oracle: an HTTP server whose latency is known exactly (fixed service time plus periodic whole-server stalls).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
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
  close(): Promise<void>;
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

export async function startOracle(timing: OracleTiming): Promise<Oracle> {
  const epoch = performance.now();
  // Answer times never decrease with arrival time, so a FIFO queue and one timer are enough.
  const queue: { dueMs: number; res: ServerResponse }[] = [];
  let received = 0;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    timer = undefined;
    const now = performance.now() - epoch;
    while (queue.length > 0 && queue[0]!.dueMs <= now) {
      const { res } = queue.shift()!;
      if (!res.destroyed) res.end('ok');
    }
    arm();
  };
  const arm = (): void => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(flush, Math.max(0, queue[0]!.dueMs - (performance.now() - epoch)));
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
    received += 1;
    const arrivalMs = performance.now() - epoch;
    req.resume();
    res.setHeader('content-type', 'text/plain');
    queue.push({ dueMs: answerAtMs(timing, arrivalMs), res });
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
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
