// Facts about live processes, read from /proc where there is one: is a pid alive, its children,
// its name. The one place that knows a zombie is not alive.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * True while `pid` runs. A zombie (dead, not yet reaped — e.g. orphaned under a container's init
 * that never reaps) is not alive, or a finished process would block a restart forever. EPERM
 * (it runs as another user, e.g. postgres started as root) is alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; comm may contain spaces, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}

/**
 * The live (not zombie) processes of process group `pgid`, from /proc; on a system without /proc,
 * [pgid] while kill(-pgid, 0) succeeds.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return groupSignalable(pgid) ? [pgid] : [];
  }
  return entries.map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp …
      return fields[0] !== 'Z' && Number(fields[2]) === pgid;
    } catch {
      return false; // exited while we read
    }
  });
}

/** True while kill(-pgid, 0) succeeds: the group has a member, perhaps only zombies. */
export function groupSignalable(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Direct children of `pid` (Linux /proc; empty elsewhere). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of `pid`, depth first. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of childPids(pid)) out.push(child, ...descendants(child));
  return out;
}

/** The process's short name (/proc/<pid>/comm), e.g. "node" or "postgres"; undefined when gone. */
export function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Sends `signal` to `pid` (negative: a process group), ignoring "no such process". */
export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
