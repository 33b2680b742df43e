// The parent-death guard for a spawned child: when this process dies for any reason (even SIGKILL),
// the child is signalled, so nothing loadlab started outlives it holding a port or a data folder.
import { spawn, type ChildProcess } from 'node:child_process';

export interface WatchdogOptions {
  /** Sent when this process dies (default SIGTERM). */
  signal?: NodeJS.Signals;
  /** Signal the child's whole process group (it was spawned detached), not just the child. */
  group?: boolean;
  /** Then SIGKILL (the group, with `group`) after this many ms if it still lives (default: never). */
  killAfterMs?: number;
  /** Only signal while /proc/<pid>/comm is this name: a guard against a reused pid. */
  commandName?: string;
  /** A folder to remove once the child is gone (a service's temp folder). */
  removeDir?: string;
}

/**
 * Node has no PR_SET_PDEATHSIG, so a tiny `sh` blocks reading a pipe whose write end only this
 * process holds: when this process dies the kernel closes the pipe, `read` sees EOF, and the shell
 * signals the child. No polling, and no confusion by a reuse of this process's pid. The shell runs
 * in its own process group, so a terminal's Ctrl-C does not end the guard before the child.
 */
export function startWatchdog(pid: number, options: WatchdogOptions = {}): ChildProcess {
  const target = options.group ? `-${pid}` : String(pid);
  const killAfterSec =
    options.killAfterMs === undefined ? '' : String(Math.max(1, Math.ceil(options.killAfterMs / 1000)));
  const script = [
    'read _ignored',
    // Alive and not a zombie: under an init that does not reap, a dead child stays a zombie forever.
    'alive() { kill -0 "$1" 2>/dev/null && ! grep -q ") Z " "/proc/$1/stat" 2>/dev/null; }',
    // $2: comm guard; $3: signal; $4: target (pid or -pgid); $5: SIGKILL delay (s); $6: folder to remove
    '[ -z "$2" ] || [ ! -r "/proc/$1/comm" ] || [ "$(cat "/proc/$1/comm")" = "$2" ] || exit 0',
    'kill -s "$3" -- "$4" 2>/dev/null',
    'if [ -n "$5" ]; then i=0; while alive "$1" && [ "$i" -lt "$5" ]; do sleep 1; i=$((i+1)); done;',
    '  kill -s KILL -- "$4" 2>/dev/null; fi',
    'if [ -n "$6" ]; then i=0; while alive "$1" && [ "$i" -lt 50 ]; do sleep 0.2; i=$((i+1)); done; rm -rf "$6"; fi',
  ].join('\n');
  const signal = (options.signal ?? 'SIGTERM').replace(/^SIG/, ''); // sh's kill -s takes "TERM"
  const args = [String(pid), options.commandName ?? '', signal, target, killAfterSec, options.removeDir ?? ''];
  const watchdog = spawn('sh', ['-c', script, 'loadlab-watchdog', ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => undefined); // no sh: only the guard against our own SIGKILL is lost
  watchdog.stdin?.on('error', () => undefined);
  // The guard must not keep this process alive; the pipe stays open while we live all the same.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
