// Reads a service child's stdout and stderr line by line: each line to the log, the last few kept
// so a failed start can say what the server said.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const TAIL_LINES = 15;

/** Returns the live tail: it keeps filling as the child writes. */
export function collectOutput(child: ChildProcess, log: (line: string) => void): string[] {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      log(line);
    });
  }
  return tail;
}
