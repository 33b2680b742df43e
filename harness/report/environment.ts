// Describes the machine a run happened on (node, cores, CPU model, OS, git commit) for run.json.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Environment } from './model.ts';

export function collectEnvironment(): Environment {
  return {
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    gitCommit: readGitCommit(),
  };
}

function readGitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}

/** A sortable, file-name-safe run id such as `2026-11-23T11-30-00Z-run-ab12`. */
export function createRunId(kind: string, at: Date, random: () => number = Math.random): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${kind}-${suffix}`;
}
