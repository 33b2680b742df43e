// The streams a command writes to, injected so tests can run commands in-process; the process's own
// streams pass every line through lib/redact.ts, so nothing loadlab prints carries a secret.
import { redactText } from '../lib/redact.ts';
import type { ProgressStream } from './report/progress.ts';

export interface CommandIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

export function createProcessIO(): CommandIO {
  return { stdout: redacting(process.stdout), stderr: redacting(process.stderr) };
}

/** The stream, with secrets hidden in what is written to it (isTTY kept for the progress line). */
export function redacting(stream: NodeJS.WriteStream): ProgressStream {
  return { isTTY: stream.isTTY, write: (text: string) => stream.write(redactText(text)) };
}
