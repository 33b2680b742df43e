// Turns for a paired run (ab): A and B are deployed side by side, and each step that loads the machine (deploy,
// warm-up, trial, stop) waits until it is that side's turn in one fixed, balanced order, so the two never measure
// at the same time and the machine's drift falls on both. A failure on either side ends the other's wait.
import type { Turn } from '../ladder/level.ts';

export type Side = 'A' | 'B';

/** The steps of one side, in order: a level's (deploy, warm-up, trials, stop) or `run`'s (warm-up, trials). */
export function stepsOf(kind: 'level' | 'run', trials: number, fresh = false): string[][] {
  if (kind === 'run') return [['warm-up', ...Array.from({ length: trials }, (_, i) => `trial ${i + 1}`)]];
  if (!fresh) return [['deploy 1', 'warm-up', ...Array.from({ length: trials }, (_, i) => `trial ${i + 1}`), 'stop 1']];
  return Array.from({ length: trials }, (_, i) => {
    const k = i + 1;
    const tag = k > 1 ? ` (deployment ${k})` : '';
    return [`deploy ${k}`, `warm-up${tag}`, `trial ${k}${tag}`, `stop ${k}`];
  });
}

/**
 * The order of both sides' steps: each deployment's steps A then B, except trials, which alternate A B, B A, A B…
 * (a balanced order: neither side is always first after the other's trial).
 */
export function balancedOrder(blocks: string[][]): [Side, string][] {
  const order: [Side, string][] = [];
  let trial = 0;
  for (const block of blocks)
    for (const step of block) {
      const first: Side = step.startsWith('trial') && trial++ % 2 === 1 ? 'B' : 'A';
      order.push([first, step], [first === 'A' ? 'B' : 'A', step]);
    }
  return order;
}

export interface Turns {
  A: Turn;
  B: Turn;
  /** The steps run so far, in order, e.g. "A trial 1" (for the progress line and tests). */
  log: string[];
  /** One side failed outside a step: the other stops waiting (its pending turn throws the same error). */
  fail(error: unknown): void;
}

export function createTurns(order: [Side, string][], onStep?: (side: Side, step: string) => void): Turns {
  let cursor = 0;
  let failure: unknown;
  const waiting = new Set<() => void>();
  const log: string[] = [];
  const wake = () => {
    for (const w of [...waiting]) w();
  };
  const turnOf =
    (side: Side): Turn =>
    async (step, fn) => {
      // A step the order does not know runs at once (it cannot be paired).
      if (!order.some(([s, st]) => s === side && st === step)) return fn();
      while (failure === undefined && !(order[cursor]?.[0] === side && order[cursor]?.[1] === step))
        await new Promise<void>((resolve) => {
          const w = () => {
            waiting.delete(w);
            resolve();
          };
          waiting.add(w);
        });
      if (failure !== undefined)
        throw failure instanceof Error
          ? failure
          : new Error('the other side of the paired run failed', { cause: failure });
      onStep?.(side, step);
      log.push(`${side} ${step}`);
      try {
        return await fn();
      } catch (error) {
        failure ??= error;
        throw error;
      } finally {
        cursor++;
        wake();
      }
    };
  return {
    A: turnOf('A'),
    B: turnOf('B'),
    log,
    fail(error) {
      failure ??= error;
      wake();
    },
  };
}
