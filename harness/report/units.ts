// Parsing of human units on the command line and in scenario files: durations like 500ms, 30s, 2m.
import { UsageError } from '../errors.ts';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const SECONDS_PER_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Parses `500ms`, `30s`, `2m`, `1h` or a bare number of seconds into seconds; throws a UsageError naming `what`. */
export function parseDurationSec(text: string, what = 'duration'): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${what}: "${text}" is not a duration (use e.g. 500ms, 30s, 2m)`);
  const seconds = Number(match[1]) * (SECONDS_PER_UNIT[match[2] ?? 's'] ?? 1);
  if (!(seconds > 0)) throw new UsageError(`${what}: must be greater than zero, got "${text}"`);
  return seconds;
}

export function formatDuration(durationSec: number): string {
  if (durationSec < 1) return `${Math.round(durationSec * 1000)}ms`;
  if (durationSec % 60 === 0) return `${durationSec / 60}m`;
  return `${durationSec}s`;
}
