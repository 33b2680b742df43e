// THE spawn primitive of loadlab, one import for every process it starts (PostgreSQL, Redis, the SUT,
// nginx/HAProxy, bench targets, test support): owned-child.ts spawns, watches and stops a child in its
// own process group; readiness.ts waits for it to be ready and retries on a taken port; process-tree.ts
// reads /proc (one isAlive, zombie-aware).
export { findFreePort } from '../lib/host.ts';
export { childPids, commandName, descendants, groupMembers, isAlive } from './process-tree.ts';
export * from './owned-child.ts';
export { startOwned, waitForPort, withPortRetry, type ReadyCheck, type StartOwnedOptions } from './readiness.ts';
export type { WatchdogOptions } from './watchdog.ts';
