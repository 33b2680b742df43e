import { describe, expect, it } from 'vitest';
import { balancedOrder, createTurns, stepsOf } from '../../../harness/run/turns.ts';

describe('ab turns', () => {
  it('orders deployments A then B and alternates trials A B, B A, A B', () => {
    const order = balancedOrder(stepsOf('level', 3)).map(([side, step]) => `${side} ${step}`);
    expect(order).toEqual([
      'A deploy 1',
      'B deploy 1',
      'A warm-up',
      'B warm-up',
      'A trial 1',
      'B trial 1',
      'B trial 2',
      'A trial 2',
      'A trial 3',
      'B trial 3',
      'A stop 1',
      'B stop 1',
    ]);
    expect(stepsOf('run', 2)).toEqual([['warm-up', 'trial 1', 'trial 2']]);
    expect(stepsOf('level', 2, true)).toEqual([
      ['deploy 1', 'warm-up', 'trial 1', 'stop 1'],
      ['deploy 2', 'warm-up (deployment 2)', 'trial 2 (deployment 2)', 'stop 2'],
    ]);
  });

  it('runs two sides concurrently in that order, one step at a time', async () => {
    const turns = createTurns(balancedOrder(stepsOf('run', 2)));
    let active = 0;
    let most = 0;
    const side = async (turn: typeof turns.A) => {
      for (const step of ['warm-up', 'trial 1', 'trial 2'])
        await turn(step, async () => {
          most = Math.max(most, ++active);
          await new Promise((resolve) => setImmediate(resolve));
          active--;
        });
    };
    // B asks first; it still waits for A's warm-up.
    await Promise.all([side(turns.B), side(turns.A)]);
    expect(turns.log).toEqual(['A warm-up', 'B warm-up', 'A trial 1', 'B trial 1', 'B trial 2', 'A trial 2']);
    expect(most).toBe(1);
  });

  it("one side's failure ends the other's wait with the same error", async () => {
    const turns = createTurns(balancedOrder(stepsOf('run', 1)));
    const boom = new Error('A could not reach its target');
    const a = turns.A('warm-up', () => Promise.reject(boom));
    const b = turns.B('trial 1', () => Promise.resolve('never'));
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
  });

  it('fail() from outside a step wakes a waiting side', async () => {
    const turns = createTurns(balancedOrder(stepsOf('run', 1)));
    const b = turns.B('warm-up', () => Promise.resolve(1));
    turns.fail(new Error('A failed before its warm-up'));
    await expect(b).rejects.toThrow('A failed before its warm-up');
  });
});
