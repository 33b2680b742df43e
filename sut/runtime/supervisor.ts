// The cluster primary's supervisor: forks workers, replaces crashed ones with backoff, rolls
// reloads one worker at a time (new one ready before the old one retires), and drains on stop.
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { formatReloadStopped, formatWorkerReady, RELOAD_DONE_TEXT } from '../../lib/sut-protocol.ts';
import type { Logger } from '../log.ts';
import { isMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts';
import type { StartingPriority } from './priority.ts';

export interface SupervisorOptions {
  workers: number;
  env: Record<string, string>;
  log: Logger;
  drainTimeoutMs: number;
  readyTimeoutMs?: number;
  /** Called with every message a worker sends that the supervisor does not handle itself. */
  onMessage?: (worker: ClusterWorker, message: WorkerMessage) => void;
  /** Present where it can be put back: a worker forked while others serve starts at a lower priority. */
  startingPriority?: StartingPriority;
}

type State = 'starting' | 'ready' | 'retiring';
const CRASH_WINDOW_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
/** Deaths within CRASH_WINDOW_MS from which the log calls it a crash loop. */
export const CRASH_LOOP = 3;

/** First death: replace at once. Repeated deaths within the window: 500 ms, 1 s, 2 s, … up to 30 s. */
export function crashBackoffMs(deathsInWindow: number): number {
  return deathsInWindow <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** (deathsInWindow - 1));
}

export class Supervisor {
  private readonly states = new Map<number, State>();
  /** A reload's new worker → the worker it replaces (its cache's donor). */
  private readonly replacing = new Map<number, ClusterWorker>();
  private crashes: number[] = [];
  private stopping = false;
  private respawnTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private reloadQueued = false;
  port = 0;

  constructor(private readonly options: SupervisorOptions) {}

  /** Forks the configured number of workers and resolves when all are ready. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.options.workers }, () => this.fork()));
  }

  /** Workers that serve or still finish requests (ready or retiring), for cluster-wide metrics. */
  liveWorkers(): ClusterWorker[] {
    return this.workersIn('ready', 'retiring');
  }

  /**
   * Whose cache a starting worker should start with: the worker it replaces in a reload while that one still
   * serves, else any ready worker (a crash's replacement); none at the first start.
   */
  donorFor(worker: ClusterWorker): ClusterWorker | undefined {
    const replaced = this.replacing.get(worker.id);
    if (replaced && this.states.get(replaced.id) === 'ready') return replaced;
    return this.workersIn('ready').find((w) => w.id !== worker.id);
  }

  private workersIn(...states: State[]): ClusterWorker[] {
    return [...this.states]
      .filter(([, s]) => states.includes(s))
      .map(([id]) => cluster.workers?.[id])
      .filter((w): w is ClusterWorker => w !== undefined);
  }

  private fork(replaces?: ClusterWorker): Promise<ClusterWorker> {
    // Workers keep the env's PORT even after PORT=0 picked one: cluster shares a listening handle
    // per (host, port) key, so a fixed port here would be a second bind and fail (EADDRINUSE).
    // The shared handle keeps the picked port while any worker lives; set PORT to keep it always.
    const worker = cluster.fork(this.options.env);
    const lowered = this.lowerWhileStarting(worker);
    this.states.set(worker.id, 'starting');
    if (replaces) this.replacing.set(worker.id, replaces);
    // A message to a worker whose channel has just closed ends in an 'error' event; unheard, it would end the
    // primary (and with it every worker). The worker's exit is handled below.
    worker.on('error', (err) => this.options.log.warn(`worker ${worker.id}: ${err.message}`));
    worker.on('message', (message: unknown) => {
      if (!isMessage<WorkerMessage>(message)) return;
      if (message.t === 'ready') {
        this.port = message.port;
        if (this.states.get(worker.id) !== 'starting') return;
        this.states.set(worker.id, 'ready');
        this.replacing.delete(worker.id);
        if (lowered && !this.options.startingPriority?.restore(message.pid))
          this.options.log.warn(`worker ${worker.id}: could not put its CPU priority back`);
        this.options.log.info(formatWorkerReady(worker.id, message.pid));
        worker.emit('loadlab-ready');
      } else {
        this.options.onMessage?.(worker, message);
      }
    });
    worker.once('exit', (code, signal) => this.onExit(worker, code, signal));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        reject(new Error(`worker ${worker.id} was not ready within ${this.readyTimeoutMs} ms`));
      }, this.readyTimeoutMs);
      worker.once('loadlab-ready', () => {
        clearTimeout(timer);
        resolve(worker);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          Object.assign(new Error(`worker ${worker.id} exited (code ${code}) before it was ready`), { exitCode: code }),
        );
      });
    });
  }

  /** A worker forked while others serve starts at a lower CPU priority, so its start does not stall them. */
  private lowerWhileStarting(worker: ClusterWorker): boolean {
    const priority = this.options.startingPriority;
    const pid = worker.process.pid;
    if (!priority || pid === undefined || this.workersIn('ready').length === 0) return false;
    if (!priority.lower(pid)) return false;
    this.options.log.info(`worker ${worker.id} (pid ${pid}) starts at nice ${priority.nice} until it is ready`);
    return true;
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 30_000;
  }

  private onExit(worker: ClusterWorker, code: number | null, signal: string | null): void {
    const state = this.states.get(worker.id);
    this.states.delete(worker.id);
    this.replacing.delete(worker.id);
    if (this.stopping || state === 'retiring') return;
    this.options.log.warn(
      `worker ${worker.id} (pid ${worker.process.pid}) died: ${signal ?? `exit ${code}`}; replacing it`,
    );
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const delayMs = crashBackoffMs(this.crashes.length);
    if (this.crashes.length >= CRASH_LOOP) {
      this.options.log.error(
        `crash loop: ${this.crashes.length} worker deaths in ${CRASH_WINDOW_MS / 1000} s; next restart in ${delayMs} ms`,
      );
    }
    const respawn = () => {
      this.respawnTimer = undefined;
      if (!this.stopping)
        this.fork().catch((err: Error) => this.options.log.error(`replacement worker failed: ${err.message}`));
    };
    if (delayMs === 0) respawn();
    else this.respawnTimer = setTimeout(respawn, delayMs);
  }

  /** Asks a worker to drain and exit; kills it if it has not gone after the drain timeout. */
  private async retire(worker: ClusterWorker, mode: 'reload' | 'stop'): Promise<void> {
    if (worker.isDead()) return;
    const wasStarting = this.states.get(worker.id) === 'starting';
    this.states.set(worker.id, 'retiring');
    // Not events.once(): it rejects on an 'error', and a worker emits one for a message sent as its channel closes
    // (a /metrics scrape asking a retiring worker): that is no end of the worker, and a rejected reload ended the
    // primary (an unhandled rejection) with every worker.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // A worker still starting may not listen for messages yet, and serves nothing: a signal ends it.
    if (wasStarting) worker.process.kill('SIGTERM');
    else if (worker.isConnected()) worker.send({ t: 'drain', mode } satisfies PrimaryMessage, () => undefined);
    else worker.process.kill('SIGTERM'); // its channel closed: it cannot hear a drain, a signal drains it
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), this.options.drainTimeoutMs + 2000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Rolling reload. A SIGHUP during a reload is queued once (coalesced), never run alongside:
   * two interleaved reloads could retire the replacement of the other.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadQueued = true;
      return this.reloading;
    }
    this.reloading = this.rollAll().finally(() => {
      this.reloading = undefined;
      if (this.reloadQueued && !this.stopping) {
        this.reloadQueued = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private async rollAll(): Promise<void> {
    const old = this.workersIn('ready');
    this.options.log.info(`reload: replacing ${old.length} worker(s), one at a time`);
    for (const worker of old) {
      if (this.stopping) return;
      try {
        await this.fork(worker);
      } catch (err) {
        this.options.log.error(formatReloadStopped((err as Error).message));
        return;
      }
      await this.retire(worker, 'reload');
    }
    this.options.log.info(RELOAD_DONE_TEXT);
  }

  /** Ends every worker at once (SIGKILL): a second Ctrl-C while draining. stop() then resolves. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.respawnTimer);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
  }

  /** Drains every worker (in parallel) and resolves when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.respawnTimer);
    await Promise.all(
      Object.values(cluster.workers ?? {}).map((w) => (w ? this.retire(w, 'stop') : Promise.resolve())),
    );
  }
}
