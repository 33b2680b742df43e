// report/words for the levels: figures in → the exact KPI rows, check details and notes out.
import { describe, expect, it } from 'vitest';
import type { ClusterFigures, QueueFigures, ReloadDoneFigures } from '../../../harness/report/figures.ts';
import { deploymentNote, wordLevel } from '../../../harness/report/words.ts';
import { distributionDetail, distributionTarget } from '../../../harness/report/words/cluster.ts';
import { judgeCluster } from '../../../harness/ladder/level4.ts';
import { checkDistribution } from '../../../harness/stats/distribution.ts';
import { QUEUE, RELOAD } from './figure-fixtures.ts';

/** Level 4's measured phases as the engine tallies them; `split[i]` goes to phase i, `missing[i]` lacked x-node-id. */
function measured(split: Record<string, number>[], missing: number[] = []) {
  return split.map((counts, i) => {
    const lacking = missing[i] ?? 0;
    const answered = Object.values(counts).reduce((a, b) => a + b, 0) + lacking;
    const name = ['level4 throughput', 'level4 latency'][i] ?? `phase ${i}`;
    return {
      name,
      requests: { completed: answered, failed: 0 },
      tally: { header: 'x-node-id', counts, missing: lacking },
    };
  });
}

describe('levels in words', () => {
  it('Level 0 has no judge and gets no words; only Level 3 adds to its deployment', () => {
    expect(wordLevel(undefined)).toEqual({ extras: [], checks: [], notes: [] });
    expect(deploymentNote(QUEUE)).toBe('TASK_CONCURRENCY per worker as configured');
    expect(deploymentNote(RELOAD)).toBeUndefined();
  });

  it('Level 1 without Level 0: a failing n/a row and the reason', () => {
    const w = wordLevel({
      kind: 'scaling',
      workers: 2,
      cores: 2,
      speedUp: null,
      efficiencyPct: null,
      speedUpTarget: 1,
      efficiencyTargetPct: 50,
    });
    expect(w.extras).toEqual([
      { metric: 'Speed-up vs Level 0', target: '> 1×', value: null, unit: '×', status: 'fail' },
    ]);
    expect(w.notes[0]).toBe('Level 1: no Level 0 run in this invocation, so no speed-up.');
    expect(w.notes[1]).toMatch(/^Level 1 ran 2 SUT worker\(s\) on 2 core\(s\) shared with the load generator/);
  });

  it('Level 1 with Level 0: speed-up and efficiency judged against their targets by the table', () => {
    const w = wordLevel({
      kind: 'scaling',
      workers: 4,
      cores: 2,
      speedUp: 1.78,
      efficiencyPct: 44.44,
      speedUpTarget: 1,
      efficiencyTargetPct: 50,
    });
    expect(w.extras).toEqual([
      { metric: 'Speed-up vs Level 0', target: { op: '>', value: 1, unit: '×' }, value: 1.78, unit: '×' },
      {
        metric: 'Scaling efficiency (speed-up ÷ workers)',
        target: { op: '>=', value: 50, unit: '%' },
        value: 44.44,
        unit: '%',
      },
    ]);
    expect(w.checks).toEqual([]);
  });

  it('Level 2: rows, the check with every failure named, the note', () => {
    const w = wordLevel(RELOAD);
    expect(w.extras).toEqual([
      {
        metric: 'p99 during reloads',
        target: { op: '<=', value: 500, unit: 'ms' },
        value: 612.5,
        unit: 'ms',
        status: 'fail',
      },
      { metric: 'p99 outside reloads', target: 'info', value: 21.3, unit: 'ms' },
      { metric: 'Longest of the reloads (start to done)', target: 'info', value: 2.2, unit: 's' },
      { metric: 'Reload: failed requests', target: '= 0 (2 reloads)', value: 10, unit: '', status: 'fail' },
      {
        metric: 'Reload: availability over the phase',
        target: { op: '>=', value: 100, unit: '%' },
        value: 99.2,
        unit: '%',
        status: 'fail',
      },
    ]);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "2/2 rolling reloads (SIGHUP) finished (at 3.1s, 7.4s; 2 inside the 10s open phase at 500 req/s); failed 7 (404×2 503×3 ECONNRESET×2), unanswered 3 of 1000; availability 99.200%; 4 resent once after a keep-alive reset (as a load balancer would)",
          "name": "level2 reload",
          "passed": false,
          "target": 0,
          "value": 10,
        },
        {
          "detail": "p99 612.5 ms inside the reload windows (8 s of the open phase: each SIGHUP to 1 s after it finished; they took 2.1 s, 2.2 s), 21.3 ms outside; target ≤ 500 ms",
          "name": "level2 p99 during reloads",
          "passed": false,
          "target": 500,
          "value": 612.5,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 2: its latency rows cover the whole open phase, the 2 reloads included (a new worker starting competes with the others for the cores).",
      ]
    `);
  });

  it('Level 2 under SIGKILL, with an error and no reset resends', () => {
    const f: ReloadDoneFigures = {
      ...RELOAD,
      method: 'kill',
      done: 1,
      finishedAtMs: [4000],
      inPhase: 1,
      resetRetries: 0,
      error: 'not replaced',
    };
    expect(wordLevel(f).checks[0]?.detail).toBe(
      '1/2 non-graceful restarts (SIGKILL of every worker) finished (at 4.0s; 1 inside the 10s open phase at 500 req/s); ' +
        'failed 7 (404×2 503×3 ECONNRESET×2), unanswered 3 of 1000; availability 99.200%; error: not replaced',
    );
    expect(wordLevel(f).notes[0]).toContain('the 1 restarts included');
  });

  it('Level 2 against --target: a warning row and a note, no check', () => {
    expect(wordLevel({ kind: 'reload', method: 'none', requested: 3 })).toEqual({
      extras: [{ metric: 'Reload: failed requests', target: '= 0 (3 reloads)', value: null, unit: '', status: 'warn' }],
      checks: [],
      notes: ['Level 2: --target deployment, so loadlab sent no SIGHUP: the reload check did not run.'],
    });
  });

  it('Level 3: rate and depth rows, the processing-rate note and the background client', () => {
    const w = wordLevel(QUEUE);
    expect(w.extras).toMatchInlineSnapshot(`
      [
        {
          "metric": "Enqueue rate (POST /api/tasks)",
          "target": {
            "op": ">=",
            "unit": "jobs/s",
            "value": 1000,
          },
          "unit": "jobs/s",
          "value": 1234.5,
        },
        {
          "metric": "Processing rate",
          "status": "pass",
          "target": "info",
          "unit": "jobs/s",
          "value": 250,
        },
        {
          "metric": "Queue depth, max",
          "status": "pass",
          "target": "info",
          "unit": "jobs",
          "value": 508,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 3: 1000 jobs enqueued in 4s; 10 enqueue requests failed ({"202":1000,"503":10}); processing rate = (jobs enqueued − growth of the backlog) ÷ time, from the enqueue phase's start until the backlog drained (3.5s); jobs were queued or running in 1 of the 4 one-second samples of the open phase, whose latency is the API's while jobs run; queue depth per second is in series.csv (queue_waiting, queue_active).",
        "Level 3: during the open phase a second open-model client enqueued 812 more jobs at 203/s (half the enqueue rate; not in the latency figures).",
      ]
    `);
  });

  it('Level 3 without samples: n/a rows are warnings, and an undrained backlog is said so', () => {
    const f: QueueFigures = {
      ...QUEUE,
      failedEnqueues: 0,
      processingRatePerSec: null,
      drainedAfterSec: null,
      maxDepth: null,
    };
    delete f.background;
    const w = wordLevel(f);
    expect(w.extras.map((e) => e.status)).toEqual([undefined, 'warn', 'warn']);
    expect(w.notes).toHaveLength(1);
    expect(w.notes[0]).toContain('1000 jobs enqueued in 4s; processing rate');
    expect(w.notes[0]).toContain('until the backlog was last sampled (it never drained)');
  });

  it('Level 4: distribution and efficiency rows, the check, the source and efficiency notes', () => {
    const w = wordLevel(
      judgeCluster(
        measured(
          [
            { 'node-1': 360, 'node-2': 290 },
            { 'node-1': 200, 'node-2': 150 },
          ],
          [1, 2],
        ),
        1800,
        1000,
        undefined,
      ),
    );
    expect(w.extras).toMatchInlineSnapshot(`
      [
        {
          "metric": "Distribution: χ² p-value",
          "status": "fail",
          "target": "≥ 0.01, from the benchmark's own 1003 responses",
          "unit": "",
          "value": 0.0001,
        },
        {
          "metric": "Distribution: largest share deviation",
          "status": "fail",
          "target": "≤ 10% of an equal share",
          "unit": "%",
          "value": 12,
        },
        {
          "metric": "Efficiency vs M × Level 2",
          "target": {
            "op": ">=",
            "unit": "%",
            "value": 70,
          },
          "unit": "%",
          "value": 90,
        },
      ]
    `);
    expect(w.checks).toMatchInlineSnapshot(`
      [
        {
          "detail": "node-1 560 (56%), node-2 440 (44%) of 1000; χ² 14.40 (df 1), p 1.5e-4 < 0.01: the split is not even; outside 50% ± 10%: node-1, node-2; 3 responses carried no x-node-id",
          "name": "level4 distribution",
          "passed": false,
          "target": "p ≥ 0.01; each node 50% ± 10% (relative)",
          "value": 0.000148,
        },
      ]
    `);
    expect(w.notes).toMatchInlineSnapshot(`
      [
        "Level 4: distribution from the benchmark's own 1003 responses: the x-node-id of each in level4 throughput (651) and level4 latency (352), summed into one test: node-1 560 (56%), node-2 440 (44%) of 1000; χ² 14.40 (df 1), p 1.5e-4 < 0.01: the split is not even; outside 50% ± 10%: node-1, node-2; 3 responses carried no x-node-id.",
        "Level 4 efficiency = Level 4 throughput ÷ (2 nodes × Level 2 throughput 1000 req/s); the nodes share this machine's cores with the balancer, PostgreSQL and the generator.",
      ]
    `);
  });

  it('Level 4 without Level 2: the efficiency row is a warning and the note says why', () => {
    const f: ClusterFigures = judgeCluster(
      measured([
        { a: 300, b: 300 },
        { a: 200, b: 200 },
      ]),
      1800,
      undefined,
      undefined,
    );
    const w = wordLevel(f);
    expect(w.extras[2]).toEqual({
      metric: 'Efficiency vs M × Level 2',
      target: { op: '>=', value: 70, unit: '%' },
      value: null,
      unit: '%',
      status: 'warn',
    });
    expect(w.notes[1]).toBe('Level 4: no Level 2 run in this invocation, so no efficiency.');
  });

  it('Level 4: a phase without a tally fails the check and says so; a tally short of the answers is shown', () => {
    const [throughput, latency] = measured([
      { a: 300, b: 300 },
      { a: 200, b: 200 },
    ]);
    const w = wordLevel(
      judgeCluster(
        [
          { ...throughput!, requests: { completed: 600, failed: 2 } },
          { ...latency!, tally: undefined },
        ],
        1800,
        1000,
        ['a', 'b'],
      ),
    );
    expect(w.checks[0]).toMatchObject({
      passed: false,
      detail:
        'no x-node-id tally from level4 latency (the engine kept none); a 300 (50%), b 300 (50%) of 600; χ² 0.00 (df 1), p 1.000',
    });
    expect(w.extras[0]?.target).toBe("≥ 0.01, from the benchmark's own 600 responses");
    expect(w.notes[0]).toContain(
      "the benchmark's own 600 responses: the x-node-id of each in level4 throughput (600 of 602 answered) and " +
        'level4 latency (not tallied, 400 answered), summed into one test',
    );
  });

  // The distribution check's own wording (stats/distribution.ts, used by the balancer tests) and the report's agree.
  it.each<[Record<string, number>, string[] | undefined, number]>([
    [{ a: 500, b: 500 }, ['a', 'b'], 0],
    [{ a: 500, b: 500 }, ['a', 'b'], 3],
    [{ n2: 100, n1: 300 }, undefined, 0],
    [{ a: 560, b: 440, c: 500 }, undefined, 0],
    [{ a: 5000, b: 4000 }, undefined, 7],
    [{ n1: 200 }, ['n1', 'n2'], 0],
    [{ n1: 10 }, undefined, 0],
    [{ n1: 10 }, undefined, 4],
    [{ n1: 10, n2: 10 }, undefined, 1],
    [{}, undefined, 0],
    [{}, undefined, 9],
  ])(
    'distribution %j (expected %j, %i without x-node-id) words like checkDistribution',
    (counts, expectedNodes, missing) => {
      const f = judgeCluster(measured([counts], [missing]), 1, undefined, expectedNodes);
      const check = checkDistribution(counts, { missing, ...(expectedNodes ? { expectedNodes } : {}) });
      expect(distributionDetail(f.distribution)).toBe(check.detail);
      expect(distributionTarget(f.distribution)).toBe(check.target);
    },
  );
});
