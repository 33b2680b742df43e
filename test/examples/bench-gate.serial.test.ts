// examples/ci/bench-gate.sh as a pipeline runs it: the first run saves the baseline, an unchanged server passes,
// a slower one fails the gate with exit 1, and a bad level is a usage error. The servers live in this process,
// so the script runs with an async spawn (a spawnSync would block the event loop that answers them).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../harness/helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TIMEOUT = 120_000;

let fast: TestServer;
let slow: TestServer;
let dir: string;

beforeAll(async () => {
  const after = (ms: number) => (_req: unknown, res: import('node:http').ServerResponse) => {
    setTimeout(() => res.end('ok'), ms);
  };
  fast = await startServer(after(2));
  slow = await startServer(after(8));
  dir = mkdtempSync(join(tmpdir(), 'loadlab-gate-'));
});

afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Tolerances wide enough that the same 2 ms server is never judged worse by chance (each trial's p99 rests on 100
 * requests, and other tests may share the cores), and narrow enough that the 8 ms server's p50 (+200%) still is.
 */
const TOLERANCES = ['--tolerance', 'p50=100%', '--tolerance', 'p95=200%', '--tolerance', 'p99=400%'];

/** Runs the gate with LEVEL=run against `url`; resolves with its exit code and stdout + stderr interleaved. */
function gate(url: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const load = ['--target', url, '--rate', '100', '--duration', '1s', ...TOLERANCES];
  const child = spawn('bash', ['examples/ci/bench-gate.sh', ...load], {
    cwd: ROOT,
    env: {
      ...process.env,
      LEVEL: 'run',
      TRIALS: '3',
      BASELINE: 'gate-test',
      OUT: dir,
      LOADLAB: `${process.execPath} --import tsx harness/cli.ts`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** The newest run folder under `dir` (run ids start with a UTC timestamp, so they sort by time). */
function newestRun(): string {
  const runs = readdirSync(dir)
    .filter((name) => name !== 'baselines')
    .sort();
  return join(dir, runs.at(-1)!);
}

describe('examples/ci/bench-gate.sh', () => {
  it(
    'saves the baseline on the first run (exit 0)',
    async () => {
      const { code, output } = await gate(fast.url);
      expect(code, output).toBe(0);
      expect(output).toContain(`bench-gate: no baseline "gate-test" yet: saved ${dir}/baselines/gate-test — commit it`);
      const file = join(dir, 'baselines', 'gate-test', 'run.json');
      expect(existsSync(file)).toBe(true);
      const run = JSON.parse(readFileSync(file, 'utf8'));
      expect(run.trials).toHaveLength(3);
      expect(run.trials.map((t: { group: string }) => t.group)).toEqual(['run', 'run', 'run']);
    },
    TIMEOUT,
  );

  it(
    'passes against the same server (exit 0)',
    async () => {
      const { code, output } = await gate(fast.url);
      expect(code, output).toBe(0);
      expect(output).toContain('bench-gate: no regression against gate-test\n');
      expect(existsSync(join(newestRun(), 'compare.json'))).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'fails with exit 1 when the server got slower, p50 judged worse',
    async () => {
      const { code, output } = await gate(slow.url);
      expect(code, output).toBe(1);
      expect(output).toContain(
        'bench-gate: REGRESSION against gate-test (or a failed check): see compare.md in the results folder\n',
      );
      const folder = newestRun();
      expect(output).toContain(`compare: ${join(folder, 'compare.json')}`);
      const compare = JSON.parse(readFileSync(join(folder, 'compare.json'), 'utf8'));
      expect(compare.passed).toBe(false);
      const p50 = compare.verdicts.find((v: { metric: string }) => v.metric === 'run p50');
      expect(p50, JSON.stringify(compare.verdicts)).toMatchObject({ judged: true, verdict: 'worse' });
      expect(existsSync(join(folder, 'compare.md'))).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'passes loadlab usage errors through (exit 2)',
    async () => {
      const { code, output } = await gate(fast.url, { LEVEL: 'nonsense' });
      expect(code, output).toBe(2);
      expect(output).toContain('unknown command "nonsense"');
      expect(output).toContain('bench-gate: loadlab failed (exit 2)\n');
    },
    TIMEOUT,
  );
});
