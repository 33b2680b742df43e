// The streams a command writes to, injected so tests can run commands in-process.
import type { ProgressStream } from './report/progress.ts';

export interface CommandIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

export function createProcessIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr };
}
