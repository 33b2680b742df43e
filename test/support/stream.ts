// A steady open-loop request stream over keep-alive sockets, counting every outcome exactly.
// Like the harness's open engine (and browsers, and load balancers), it resends a GET once when its
// reused keep-alive socket is closed under it before any response, and counts the resend.
import http from 'node:http';

export interface StreamResult {
  sent: number;
  ok: number;
  failed: number;
  /** GETs sent a second time after a reset with no response. */
  resent: number;
  byStatus: Record<string, number>;
  byError: Record<string, number>;
  workers: Set<string>;
}

export interface Stream {
  /** Resolves once `count` requests have been sent. */
  reached(count: number): Promise<void>;
  /** Stops sending, waits for every request in flight, returns the counts. */
  stop(): Promise<StreamResult>;
}

export function startStream(
  baseUrl: string,
  ratePerSec: number,
  pathFor: (n: number) => string,
  maxSockets = 64,
): Stream {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const result: StreamResult = { sent: 0, ok: 0, failed: 0, resent: 0, byStatus: {}, byError: {}, workers: new Set() };
  const inFlight = new Set<Promise<void>>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const startMs = performance.now();

  const one = (n: number, retry = true): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = http.get(baseUrl + pathFor(n), { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          result.byStatus[res.statusCode!] = (result.byStatus[res.statusCode!] ?? 0) + 1;
          if (res.statusCode === 200) result.ok += 1;
          else result.failed += 1;
          const worker = res.headers['x-worker-id'];
          if (typeof worker === 'string') result.workers.add(worker);
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? err.message;
        if (retry && (code === 'ECONNRESET' || /socket hang up/.test(err.message))) {
          result.resent += 1;
          void one(n, false).then(resolve);
          return;
        }
        result.byError[code] = (result.byError[code] ?? 0) + 1;
        result.failed += 1;
        resolve();
      });
    });

  // Catch up on the schedule at every tick, so a slow tick does not lower the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startMs) / 1000) * ratePerSec);
    while (result.sent < due) {
      result.sent += 1;
      const p = one(result.sent).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    for (const w of waiters.filter((w) => result.sent >= w.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }, 2);

  return {
    reached: (count) => new Promise((resolve) => waiters.push({ count, resolve })),
    async stop() {
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.all(inFlight);
      agent.destroy();
      return result;
    },
  };
}
