// Durations on the command line and in scenario files: parseDurationSec's exact seconds and errors, formatDuration.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../harness/errors.ts';
import { formatDuration, parseDurationSec } from '../../../harness/report/units.ts';

describe('parseDurationSec', () => {
  it.each([
    ['500ms', 0.5],
    ['1ms', 0.001],
    ['30s', 30],
    ['30', 30],
    ['1.5s', 1.5],
    ['2m', 120],
    ['1h', 3600],
    [' 10s ', 10],
    ['0.25m', 15],
  ])('%j → %d s', (text, expectedSec) => {
    expect(parseDurationSec(text)).toBe(expectedSec);
  });

  it.each([
    ['', '--duration: "" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['abc', '--duration: "abc" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['10 s', '--duration: "10 s" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['-1s', '--duration: "-1s" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['5d', '--duration: "5d" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['1S', '--duration: "1S" is not a duration (use e.g. 500ms, 30s, 2m)'],
    ['0s', '--duration: must be greater than zero, got "0s"'],
    ['0ms', '--duration: must be greater than zero, got "0ms"'],
  ])('rejects %j with a usage error naming the option', (text, message) => {
    const attempt = () => parseDurationSec(text, '--duration');
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });

  it('names "duration" when no option name is given', () => {
    expect(() => parseDurationSec('x')).toThrow('duration: "x" is not a duration');
  });
});

describe('formatDuration', () => {
  it.each([
    [0.5, '500ms'],
    [0.0004, '0ms'],
    [1, '1s'],
    [30, '30s'],
    [1.5, '1.5s'],
    [60, '1m'],
    [120, '2m'],
    [90, '90s'],
    [3600, '60m'],
  ])('%d s → %s', (durationSec, expected) => {
    expect(formatDuration(durationSec)).toBe(expected);
  });

  it.each(['500ms', '30s', '2m', '1.5s'])('round-trips %s', (text) => {
    expect(formatDuration(parseDurationSec(text))).toBe(text);
  });
});
