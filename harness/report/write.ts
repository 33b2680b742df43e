// The only module that writes result files: results/<run-id>/run.json, series.csv, summary.txt, compare.json, a
// baseline's copies — each through lib/redact.ts, so no file holds a secret whatever a caller handed in.
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
  return writeResultFiles(dir, { 'run.json': `${JSON.stringify(redactDeep(run), null, 2)}\n`, ...extras });
}

/** Writes files into a results folder (compare.json, noise.json, a baseline's copies), each redacted. */
export function writeResultFiles(dir: string, files: Record<string, string>): WrittenRun {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), redactText(content));
  return { dir, files: Object.keys(files).map((name) => join(dir, name)) };
}
