// Reads CPU time and RSS of a process tree from /proc (Linux); elsewhere it reports nothing rather than guessing.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on every mainstream Linux build

export interface ProcSample {
  cpuSec: number;
  rssBytes: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
export function parseStat(text: string): { ppid: number; cpuSec: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // after "pid (comm) ": state=0, ppid=1, …, utime=11, stime=12
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(ticks)) return undefined;
  return { ppid, cpuSec: ticks / CLOCK_TICKS_PER_SEC };
}

export function parseRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : 0;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The given pids plus all their descendants (cluster workers, forked children). */
export function processTree(rootPids: number[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return rootPids;
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    const stat = readText(`/proc/${entry}/stat`);
    const parsed = stat ? parseStat(stat) : undefined;
    if (!parsed) continue;
    const list = children.get(parsed.ppid) ?? [];
    list.push(Number(entry));
    children.set(parsed.ppid, list);
  }
  const result = new Set<number>();
  const stack = [...rootPids];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (result.has(pid)) continue;
    result.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...result];
}

/** Sums CPU seconds and RSS over a process tree; undefined when none of the processes is readable. */
export function sampleTree(rootPids: number[]): ProcSample | undefined {
  let cpuSec = 0;
  let rssBytes = 0;
  let seen = 0;
  for (const pid of processTree(rootPids)) {
    const stat = readText(`/proc/${pid}/stat`);
    const parsed = stat ? parseStat(stat) : undefined;
    if (!parsed) continue;
    seen += 1;
    cpuSec += parsed.cpuSec;
    rssBytes += parseRssBytes(readText(`/proc/${pid}/status`) ?? '');
  }
  return seen > 0 ? { cpuSec, rssBytes } : undefined;
}
