// Ctrl-C as npm start's launcher and the SUT primary both read it: the first SIGINT/SIGTERM asks for a
// graceful stop; another one later than REPEAT_SIGNAL_MS asks for it now. A repeat sooner than that is
// the same keypress delivered twice (to the process group, and relayed by npm), not a second Ctrl-C.

export const REPEAT_SIGNAL_MS = 500;

export interface StopSignals {
  /** Resolves with the first stop signal. */
  readonly first: Promise<NodeJS.Signals>;
  requested(): boolean;
  /** What a second, later stop signal does (set or replaced at any time). */
  onSecond(fn: (signal: NodeJS.Signals) => void): void;
  /** Removes the handlers (while they are installed, a stop signal never ends the process by default). */
  dispose(): void;
}

export function listenForStop(): StopSignals {
  let firstAtMs: number | undefined;
  let second: ((signal: NodeJS.Signals) => void) | undefined;
  let resolveFirst!: (signal: NodeJS.Signals) => void;
  const first = new Promise<NodeJS.Signals>((resolve) => (resolveFirst = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAtMs === undefined) {
      firstAtMs = Date.now();
      resolveFirst(signal);
    } else if (Date.now() - firstAtMs >= REPEAT_SIGNAL_MS) {
      second?.(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    first,
    requested: () => firstAtMs !== undefined,
    onSecond: (fn) => (second = fn),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
