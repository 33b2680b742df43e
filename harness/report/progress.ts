// The live progress line on stderr: redrawn in place on a TTY, a plain line every few seconds otherwise.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressTick {
  phase: string;
  elapsedSec: number;
  durationSec: number;
  rps: number;
  p99Ms: number;
  errors: number;
}

export interface Progress {
  update(tick: ProgressTick): void;
  done(): void;
}

const PLAIN_EVERY_SEC = 5;

export function formatProgress(t: ProgressTick): string {
  return `${t.phase} ${Math.round(t.elapsedSec)}/${t.durationSec}s  ${Math.round(t.rps)} req/s  p99 ${t.p99Ms.toFixed(1)} ms  errors ${t.errors}`;
}

export function createProgress(stream: ProgressStream, enabled = true): Progress {
  let drawn = false;
  let lastPlainSec = -Infinity;
  let lastPhase = '';
  return {
    update(tick) {
      if (!enabled) return;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${formatProgress(tick)}`);
        drawn = true;
        return;
      }
      if (tick.phase !== lastPhase) lastPlainSec = -Infinity;
      lastPhase = tick.phase;
      if (tick.elapsedSec - lastPlainSec >= PLAIN_EVERY_SEC) {
        stream.write(`${formatProgress(tick)}\n`);
        lastPlainSec = tick.elapsedSec;
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
