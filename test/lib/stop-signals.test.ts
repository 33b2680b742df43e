// The stop-signal rule npm start's launcher and the SUT primary share: first = graceful, a later second = now.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenForStop, REPEAT_SIGNAL_MS } from '../../lib/stop-signals.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('listenForStop', () => {
  it('the first signal resolves `first`; a repeat within the window is the same keypress; a later one is a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const stop = listenForStop();
    const seconds: NodeJS.Signals[] = [];
    stop.onSecond((signal) => seconds.push(signal));
    try {
      expect(stop.requested()).toBe(false);
      process.emit('SIGTERM', 'SIGTERM'); // as the runtime calls a signal handler: with the signal's name
      expect(stop.requested()).toBe(true);
      await expect(stop.first).resolves.toBe('SIGTERM');
      vi.setSystemTime(Date.now() + REPEAT_SIGNAL_MS - 1);
      process.emit('SIGINT', 'SIGINT');
      expect(seconds).toEqual([]);
      vi.setSystemTime(Date.now() + 1);
      process.emit('SIGINT', 'SIGINT');
      expect(seconds).toEqual(['SIGINT']);
    } finally {
      stop.dispose();
    }
  });

  it('dispose removes exactly its own handlers', () => {
    const before = process.listenerCount('SIGINT');
    const stop = listenForStop();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    stop.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
