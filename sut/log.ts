// A minimal levelled logger to stderr; the SUT's stdout stays free for its one "listening" line.
import type { LogLevel } from './config.ts';

export interface Logger {
  error(message: string, extra?: unknown): void;
  warn(message: string, extra?: unknown): void;
  info(message: string, extra?: unknown): void;
  debug(message: string, extra?: unknown): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function createLogger(
  level: LogLevel,
  prefix = 'sut',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, extra?: unknown) => {
    if (RANK[lvl] > RANK[level]) return;
    const tail =
      extra === undefined ? '' : ` ${extra instanceof Error ? (extra.stack ?? extra.message) : JSON.stringify(extra)}`;
    write(`[${prefix}] ${lvl} ${message}${tail}\n`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = createLogger('silent');
