// The SUT's process protocol: its exit codes and the log lines others read (the launcher, the
// harness, the tests). The SUT writes them with the formatters; readers match them with the patterns.

/** How the SUT's primary exits; the harness maps 2 and 3 to its own usage and environment codes. */
export const SUT_EXIT = {
  ok: 0,
  /** A bad environment variable: each one named with what it accepts. */
  config: 2,
  /** Something outside the SUT is missing: PostgreSQL, a free port. */
  environment: 3,
  internal: 4,
} as const;

/** stdout, once every worker is ready: `loadlab sut listening on http://127.0.0.1:3000 (pid 42; …)`. */
export function formatListening(host: string, port: number, pid: number): string {
  return `loadlab sut listening on http://${host}:${port} (pid ${pid}; kill -HUP ${pid} reloads)`;
}
/** Captures the URL of the listening line. */
export const LISTENING = /loadlab sut listening on (http:\/\/\S+)/;

/** stderr: `node n1: 2 worker(s), …` — the node id and how many workers it started. */
export function formatNodeLine(nodeId: string, workers: number, details: string): string {
  return `node ${nodeId}: ${workers} worker(s), ${details}`;
}
/** Captures the node id and the worker count. */
export const NODE_LINE = /\bnode (\S+): (\d+) worker\(s\)/;

/** stderr, per worker: `worker 3 (pid 1234) ready`. */
export function formatWorkerReady(workerId: number, pid: number): string {
  return `worker ${workerId} (pid ${pid}) ready`;
}
/** Captures the worker id and its pid. */
export const WORKER_READY = /\bworker (\d+) \(pid (\d+)\) ready/;

/** stderr: a SIGHUP's rolling reload finished, every worker replaced. */
export const RELOAD_DONE_TEXT = 'reload: done';
export const RELOAD_DONE = /\breload: done\b/;
/** stderr: a rolling reload gave up (a new worker failed); the old worker keeps serving. */
export function formatReloadStopped(reason: string): string {
  return `reload stopped: ${reason}; the old worker keeps serving`;
}
export const RELOAD_STOPPED = /\breload stopped\b/;
/** Either end of a reload: what a reload waiter looks for. */
export const RELOAD_ENDED = /\breload: done\b|\breload stopped\b/;

/** stderr: the primary could not bind its port (it then exits SUT_EXIT.environment). */
export function formatPortInUse(host: string, port: number): string {
  return `port ${port} on ${host} is already in use: stop what holds it, or set PORT to a free port (PORT=0 picks one)`;
}
export const PORT_IN_USE = /\bport \d+ on \S+ is already in use\b/;
