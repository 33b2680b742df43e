import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli.ts';
import { memoryIO } from './helpers.ts';

const T = ['--target', 'http://127.0.0.1:9'];

describe('loadlab run option validation', () => {
  it.each([
    [['run', '--rate', '10'], '--target: required'],
    [['run', '--target', 'not a url', '--rate', '10'], '--target: "not a url" is not a URL'],
    [['run', '--target', 'ftp://x', '--rate', '10'], '--target: only http:// and https://'],
    [['run', ...T], 'give --rate R (open model) or --connections N (closed model)'],
    [['run', ...T, '--rate', '10', '--connections', '5'], 'not both'],
    [['run', ...T, '--rate', 'fast'], '--rate: expected a positive number, got "fast"'],
    [['run', ...T, '--rate', '-5'], '--rate: expected a positive number'],
    [['run', ...T, '--connections', '2.5'], '--connections: expected a positive whole number'],
    [['run', ...T, '--rate', '10', '--duration', '10 minutes'], '--duration: "10 minutes" is not a duration'],
    [['run', ...T, '--rate', '10', '--duration', '0s'], '--duration: must be greater than zero'],
    [['run', ...T, '--rate', '10', '--warmup'], '--warmup: needs a value'],
    [['run', ...T, '--rate', '10', '--bogus', '1'], '--bogus: unknown option'],
    [['run', ...T, '--rate', '10', '--threshold', 'p97<1'], 'unknown metric "p97"'],
    [['run', ...T, '--rate', '10', '--header', 'nocolon'], '--header: expected NAME:VALUE'],
    [['run', ...T, '--rate', '10', '--body', '{oops'], '--body: not valid JSON'],
    [['run', ...T, '--rate', '10', '--path', 'x'], '--path: must start with "/"'],
    [['run', ...T, '--rate', '10', '--scenario', '/nonexistent.json'], '--scenario: cannot read /nonexistent.json'],
    [['run', ...T, '--rate', '10', '--rate', '20'], '--rate: given more than once'],
    [['frobnicate'], 'unknown command "frobnicate"'],
  ])('%j → exit 2', async (argv, message) => {
    const io = memoryIO();
    expect(await main(argv, io)).toBe(2);
    const firstLine = io.err().split('\n')[0]!;
    expect(firstLine).toContain(message);
    expect(io.err()).toContain('usage: loadlab');
  });

  it('accepts 500ms, 30s and 2m and prints the plan with --dry-run', async () => {
    const io = memoryIO();
    const code = await main(
      ['run', ...T, '--connections', '4', '--duration', '2m', '--warmup', '500ms', '--dry-run'],
      io,
    );
    expect(code).toBe(0);
    expect(io.out()).toBe(
      'warmup: 4 connections (closed) for 0.5s (not judged)\nsustained: 4 connections (closed) for 120s\n',
    );
  });

  it('prints the generated usage for --help', async () => {
    const io = memoryIO();
    expect(await main(['run', '--help'], io)).toBe(0);
    expect(io.out()).toContain('--rate R');
    expect(io.out()).toContain('default 30s');
  });
});
