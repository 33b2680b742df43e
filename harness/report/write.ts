// The only module that writes result files: results/<run-id>/run.json, series.csv and summary.txt — each
// through lib/redact.ts, so no file holds a secret whatever a caller handed in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactDeep, redactText } from '../../lib/redact.ts';
import type { RunJson } from './model.ts';

export interface WrittenRun {
  dir: string;
  files: string[];
}

export function writeRun(resultsRoot: string, run: RunJson, extras: Record<string, string> = {}): WrittenRun {
  const dir = join(resultsRoot, run.id);
  mkdirSync(dir, { recursive: true });
  const files = { 'run.json': `${JSON.stringify(redactDeep(run), null, 2)}\n`, ...extras };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), redactText(content));
  return { dir, files: Object.keys(files).map((name) => join(dir, name)) };
}
