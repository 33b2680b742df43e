// The registry of everything the harness starts, so that a run stops it all on success, on failure
// and on Ctrl-C/SIGTERM (then exits 130/143): no orphans, no port left taken.
import { redactText } from '../../lib/redact.ts';

export interface Stoppable {
  /** Graceful stop; must be safe to call more than once. */
  stop(): Promise<void>;
  /** Last resort when the harness is exiting and cannot wait (sync: signal the process group). */
  killNow?(): void;
}

const live: Stoppable[] = [];
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
let handlersInstalled = false;
let stoppingAll: Promise<void> | undefined;

/** Registers `item` until it is stopped (through its own stop() or stopAll()); returns it. */
export function track<T extends Stoppable>(item: T): T {
  if (!live.includes(item)) live.push(item);
  installHandlers();
  return item;
}

/** Forgets `item` (its stop() calls this once it has stopped). */
export function untrack(item: Stoppable): void {
  const at = live.indexOf(item);
  if (at >= 0) live.splice(at, 1);
  if (live.length === 0) removeHandlers();
}

/** How many started things are still running (tests assert 0 after a run). */
export function trackedCount(): number {
  return live.length;
}

/**
 * Stops everything still tracked, newest first (the load balancer before the nodes before the
 * database); one failure does not keep the rest running.
 */
export function stopAll(): Promise<void> {
  stoppingAll ??= (async () => {
    const errors: unknown[] = [];
    while (live.length > 0) {
      const item = live.pop()!;
      try {
        await item.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    removeHandlers();
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} process(es) failed to stop cleanly`);
  })().finally(() => {
    stoppingAll = undefined;
  });
  return stoppingAll;
}

/**
 * Runs `body`, then stops everything it started, whether it returned or threw.
 * @example const summary = await withCleanup(async () => { const sut = await startSut(…); … });
 */
export async function withCleanup<T>(body: () => Promise<T>): Promise<T> {
  const before = live.length;
  try {
    return await body();
  } finally {
    while (live.length > before) {
      const item = live[live.length - 1]!;
      await item.stop().catch(() => undefined);
      untrack(item);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // A second Ctrl-C while stopping means "now": kill what is left and go.
  if (stoppingAll) {
    onExit();
    process.exit(SIGNAL_EXIT[signal] ?? 1);
  }
  process.stderr.write(`\n${signal}: stopping ${live.length} process(es) loadlab started…\n`);
  void stopAll()
    .catch((err: Error) => process.stderr.write(`${redactText(err.message)}\n`))
    .finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
}

/** The harness is exiting without having stopped everything (a crash, process.exit): signal what is left. */
function onExit(): void {
  for (const item of live) {
    try {
      item.killNow?.();
    } catch {
      // best effort: the process may be gone already
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
}

function removeHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('exit', onExit);
}
