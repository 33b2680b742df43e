// What crosses between the calling thread and a generator thread (structured-clone data only).
import type { AnswerChecks, Arrivals, HeaderTally, LoadModel } from '../report/model.ts';
import type { Scenario } from '../scenario/types.ts';
import type { EncodedWindow, RecorderSnapshot } from './recorder.ts';

/** One thread's part of a phase. */
export interface ThreadJob {
  model: LoadModel;
  target: string;
  scenario: Scenario;
  durationSec: number;
  timeoutMs?: number;
  seed?: number;
  checkSample?: number;
  tallyHeader?: string;
  /** Open: this thread sends arrivals index, index + count, … of the one schedule. */
  share: { index: number; count: number };
  targetRps?: number;
  fromRps?: number;
  arrivals?: Arrivals;
  lateThresholdMs?: number;
  /** Closed: this thread's connections. */
  connections?: number;
}

export interface ThreadResult {
  recorder: RecorderSnapshot;
  elapsedSec: number;
  /** Busy CPU of the thread, % of one core, its spin-waiting excluded. */
  busyCpuPct: number;
  eventLoopP99Ms: number;
  answerChecks?: AnswerChecks;
  tally?: HeaderTally;
  /** Open model. */
  sendLag?: string;
  serviceTime?: string;
  lateSends?: number;
  unsent?: number;
  resetRetries?: number;
  /** Closed model. */
  firstResponse?: string;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'window'; window: EncodedWindow }
  | { type: 'done'; result: ThreadResult }
  | { type: 'failed'; message: string };

/** Splits `total` connections over `threads` as evenly as whole numbers allow (each thread at least one). */
export function splitConnections(total: number, threads: number): number[] {
  const n = Math.max(1, Math.min(threads, total));
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
}
