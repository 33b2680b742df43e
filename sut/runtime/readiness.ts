// Readiness: draining, database reachable, event-loop delay and pool wait queue under their bounds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PoolLike } from '../metrics.ts';

export interface ReadinessOptions {
  ping: () => Promise<void>;
  pool?: PoolLike;
  maxLagMs: number;
  maxPoolWaiting: number;
  pingTimeoutMs?: number;
}

export interface Readiness {
  check(): Promise<{ ready: boolean; reasons: string[] }>;
  setDraining(): void;
  readonly draining: boolean;
  stop(): void;
}

const WINDOW_MS = 1000;

export function createReadiness(options: ReadinessOptions): Readiness {
  const pingTimeoutMs = options.pingTimeoutMs ?? 1000;
  // p99 of the loop delay over the last full second: a fresh, bounded view of saturation.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lagMs = 0;
  const timer = setInterval(() => {
    lagMs = histogram.percentile(99) / 1e6;
    histogram.reset();
  }, WINDOW_MS);
  timer.unref();
  let draining = false;

  async function databaseReason(): Promise<string | undefined> {
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timeout = setTimeout(() => resolve(`database unreachable: no answer in ${pingTimeoutMs} ms`), pingTimeoutMs);
    });
    try {
      return await Promise.race([
        options.ping().then(
          () => undefined,
          (err: Error) => `database unreachable: ${err.message}`,
        ),
        timedOut,
      ]);
    } finally {
      clearTimeout(timeout);
    }
  }

  return {
    get draining() {
      return draining;
    },
    setDraining() {
      draining = true;
    },
    async check() {
      const reasons: string[] = [];
      if (draining) reasons.push('draining');
      if (lagMs > options.maxLagMs)
        reasons.push(`event-loop delay p99 ${lagMs.toFixed(1)} ms over ${options.maxLagMs} ms`);
      const waiting = options.pool?.waitingCount ?? 0;
      if (waiting > options.maxPoolWaiting)
        reasons.push(`${waiting} requests waiting for a database connection (bound ${options.maxPoolWaiting})`);
      const db = await databaseReason();
      if (db) reasons.push(db);
      return { ready: reasons.length === 0, reasons };
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
