// Stress: the search rule on a fake target, and accuracy against a server whose capacity is known exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { bracket, nextProbeRate, type Probe, type SearchOptions } from '../../../harness/ladder/stress.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { memoryIO, startServer, type TestServer } from '../helpers.ts';
import { readRun } from './level-helpers.ts';

const OPTIONS: SearchOptions = { startRps: 100, maxRps: 100_000, precision: 0.05, minRps: 1 };

/** Runs the pure search against a target that meets the SLO exactly up to `capacity`. */
function search(capacity: number, o = OPTIONS): Probe[] {
  const probes: Probe[] = [];
  for (let rate = nextProbeRate(probes, o); rate !== undefined; rate = nextProbeRate(probes, o)) {
    probes.push({
      rateRps: rate,
      errorRatePct: 0,
      p99Ms: 1,
      achievedRps: rate,
      passed: rate <= capacity,
      generatorSaturated: false,
    });
  }
  return probes;
}

describe('stress search rule', () => {
  it.each([37, 100, 450, 1234, 99_000])('brackets a capacity of %s req/s within 5%%', (capacity) => {
    const probes = search(capacity);
    const { maxSustainableRps, breakdownRps } = bracket(probes);
    expect(maxSustainableRps).toBeLessThanOrEqual(capacity);
    expect(maxSustainableRps).toBeGreaterThanOrEqual(capacity * 0.95);
    expect(breakdownRps! - maxSustainableRps).toBeLessThanOrEqual(breakdownRps! * 0.05);
    expect(probes.length).toBeLessThan(20);
  });

  it('halves from a failing first probe and reports nothing sustainable below minRps', () => {
    expect(
      search(30, { ...OPTIONS, startRps: 200 })
        .map((p) => p.rateRps)
        .slice(0, 4),
    ).toEqual([200, 100, 50, 25]);
    expect(bracket(search(0.5, OPTIONS)).maxSustainableRps).toBe(0);
  });

  it('stops at maxRps when nothing fails', () => {
    const probes = search(Infinity, { ...OPTIONS, maxRps: 500 });
    expect(probes.map((p) => p.rateRps)).toEqual([100, 200, 400, 500]);
    expect(bracket(probes)).toMatchObject({ maxSustainableRps: 500, breakdownRps: null });
  });
});

/** At most `limit` requests in service at once, each for `serviceMs`, the rest queue: capacity = limit ÷ serviceMs. */
function startKnownCapacityServer(limit: number, serviceMs: number): Promise<TestServer> {
  let busy = 0;
  const queue: Array<() => void> = [];
  return startServer((_req, res) => {
    const serve = () => {
      busy += 1;
      setTimeout(() => {
        res.end('ok');
        busy -= 1;
        queue.shift()?.();
      }, serviceMs);
    };
    if (busy < limit) serve();
    else queue.push(serve);
  });
}

let server: TestServer | undefined;
let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-stress-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(outDir, { recursive: true, force: true });
});

describe('loadlab stress against a server of known capacity', () => {
  it('lands within 10% of limit ÷ service time (4 ÷ 20 ms = 200 req/s) and lists every probe', async () => {
    server = await startKnownCapacityServer(4, 20);
    const io = memoryIO();
    // p99 ≤ 100 ms: above capacity the queue grows by (rate − 200)/s, so a 2 s probe at +10% already waits > 100 ms.
    const argv = [
      'stress',
      '--target',
      server.url,
      '--path',
      '/',
      '--slo-p99',
      '100ms',
      '--start-rate',
      '150',
      '--step-duration',
      '2s',
      '--warmup',
      '500ms',
      '--out',
      outDir,
    ];
    expect(await main(argv, io), io.err()).toBe(0);
    const { run, kpi } = readRun(outDir);
    expect(validateRunJson(run)).toEqual([]);
    const check = run.checks.find((c: { name: string }) => c.name === 'stress');
    expect(check.value, kpi).toBeGreaterThanOrEqual(180);
    expect(check.value, kpi).toBeLessThanOrEqual(220);
    const probes = run.phases.filter((p: { name: string }) => p.name.startsWith('stress ') && p.name.endsWith('req/s'));
    expect(kpi.match(/^probe \d+: /gm)?.length).toBe(probes.length);
    // This server queues what it cannot serve: the probes past capacity say so, none says shed, limited or failed.
    type Probed = { targetRps: number; overload: string; requests: { failed: number } };
    const fastest = (probes as Probed[]).reduce((a, b) => (b.targetRps > a.targetRps ? b : a));
    expect(fastest.overload, kpi).toBe('queued');
    for (const p of probes as Probed[]) expect(['none', 'queued'], kpi).toContain(p.overload);
    expect(kpi).toMatch(/^Beyond capacity \(at the breakdown rate, \d+ req\/s\) the target (queued|showed none)/m);
    expect(run.kpi.rows.map((r: { metric: string }) => r.metric)).toEqual([
      'Max sustainable rate',
      'Breakdown rate',
      'Probes',
    ]);
  }, 90_000);
});
