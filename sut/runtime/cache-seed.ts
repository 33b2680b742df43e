// A starting worker's cache seed: before it listens, a worker asks the primary for a cache to start with; the
// primary asks a donor (the worker it replaces in a rolling reload, else any live one) for its cache's contents
// and hands them over, so a reload does not leave every replacement cold. Both ends of that exchange.
import type { Worker as ClusterWorker } from 'node:cluster';
import type { CacheSeed } from '../cache/peers.ts';
import type { PrimaryMessage, WorkerMessage } from './messages.ts';

/** How long the primary waits for a donor's cache; then the new worker starts cold. */
export const SEED_TIMEOUT_MS = 1000;

/** The cluster workers the broker addresses: a subset of node:cluster's Worker, so tests can give fakes. */
export type SeedWorker = Pick<ClusterWorker, 'id' | 'isConnected' | 'send'>;

type Dumped = Extract<WorkerMessage, { t: 'cache-dumped' }>;
type SeedAnswer = Extract<PrimaryMessage, { t: 'cache-seed' }>;

export interface SeedBroker {
  /** `to` asked for its seed: ask `donor` for its cache (none: `to` starts cold at once). */
  request(to: SeedWorker, donor: SeedWorker | undefined): void;
  /** A donor's answer. */
  receive(message: Dumped): void;
}

export function createSeedBroker(timeoutMs = SEED_TIMEOUT_MS): SeedBroker {
  const pending = new Map<number, (seed: CacheSeed | null) => void>();
  let nextId = 1;
  const answer = (to: SeedWorker, message: SeedAnswer) => {
    if (to.isConnected()) to.send(message, () => undefined);
  };
  return {
    request(to, donor) {
      if (!donor || !donor.isConnected()) return answer(to, { t: 'cache-seed', seed: null });
      const dumpId = nextId++;
      const settle = (seed: CacheSeed | null) => {
        clearTimeout(timer);
        pending.delete(dumpId);
        answer(to, seed ? { t: 'cache-seed', seed, donor: donor.id } : { t: 'cache-seed', seed: null });
      };
      const timer = setTimeout(() => settle(null), timeoutMs);
      pending.set(dumpId, settle);
      donor.send({ t: 'cache-dump', dumpId } satisfies PrimaryMessage, () => undefined);
    },
    receive(message) {
      pending.get(message.dumpId)?.(message.seed);
    },
  };
}

export interface SeedReceived {
  seed: CacheSeed | null;
  /** The cluster worker id of the donor, when there was one. */
  donor?: number;
}

/** A worker's end: one request; `received` resolves with the primary's answer, or no seed after `timeoutMs`. */
export function requestCacheSeed(
  send: (message: WorkerMessage) => void,
  timeoutMs = SEED_TIMEOUT_MS + 500,
): { received: Promise<SeedReceived>; receive(message: SeedAnswer): void } {
  let resolve!: (received: SeedReceived) => void;
  const received = new Promise<SeedReceived>((r) => (resolve = r));
  const timer = setTimeout(() => resolve({ seed: null }), timeoutMs);
  send({ t: 'cache-seed-req' });
  return {
    received,
    receive(message) {
      clearTimeout(timer);
      resolve(message.donor === undefined ? { seed: message.seed } : { seed: message.seed, donor: message.donor });
    },
  };
}
