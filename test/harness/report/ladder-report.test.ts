// report/ladder-report: finished levels and analyses → worded table columns, checks, notes and method fragments.
import { describe, expect, it } from 'vitest';
import type { CacheFigures } from '../../../harness/report/figures.ts';
import type { PhaseReport } from '../../../harness/report/model.ts';
import { saturationWarnings } from '../../../harness/report/words.ts';
import {
  analysisInputs,
  buildLadderReport,
  ladderInputs,
  type FinishedLevel,
} from '../../../harness/report/ladder-report.ts';
import { DEFAULT_KPI_TARGETS } from '../../../harness/run/targets.ts';
import { QUEUE, RELOAD } from './figure-fixtures.ts';

const SMALL_CACHE: CacheFigures = {
  kind: 'cache',
  deployment: 'd',
  workersGiven: true,
  runSec: 1,
  connections: 1,
  idRange: 10,
  missLatency: 'none',
  cold: { p50Ms: 1, throughputRps: 1, hitRatePct: 0 },
  warm: { p50Ms: 1, throughputRps: 1, hitRatePct: 100 },
  p50SpeedUp: 1,
  rpsSpeedUp: 1,
  speedUpTarget: 1,
  verdict: { name: 'cache warm run hits more', passed: true, value: 100, target: 0 },
  coldStart: {
    windowSec: 1,
    reads: 1,
    hitRatePct: 0,
    boundPct: 100,
    workersFlushed: 1,
    flushComplete: true,
    workersStarted: 1,
    verdict: { name: 'cache cold run starts cold', passed: true, value: 0, target: 100 },
  },
};

describe('report inputs', () => {
  const phase = (name: string, saturated = false): PhaseReport =>
    ({
      name,
      durationSec: 4,
      generatorSaturated: saturated,
      generator: { saturationReason: 'send lag' },
    }) as PhaseReport;
  const level = (key: string, figures?: FinishedLevel['figures']): FinishedLevel => ({
    key,
    deployment: `${key} deployment`,
    ...(figures ? { figures } : {}),
    measured: {
      phases: [{ report: phase(`${key} throughput`) }, { report: phase(`${key} latency`, key === 'level0') }],
      core: { p50: 1, p95: 2, p99: 3, throughput: 1000, error_rate: 0, availability: 100 },
      open: phase(`${key} latency`),
      openRps: 512,
    },
  });

  it('the ladder: titled columns, the definitions note first, checks and notes in level order, methods', () => {
    const inputs = ladderInputs([level('level0'), level('level2', RELOAD), level('level3', QUEUE)]);
    expect(inputs.columns.map((c) => [c.key, c.title, c.extras?.length])).toEqual([
      ['level0', 'Level 0', 0],
      ['level2', 'Level 2', 5],
      ['level3', 'Level 3', 3],
    ]);
    expect(inputs.checks.map((c) => c.name)).toEqual(['level2 reload', 'level2 p99 during reloads']);
    expect(inputs.notes[0]).toMatch(/^Latency percentiles come from the open phase/);
    expect(inputs.notes.slice(1).map((n) => n.slice(0, 8))).toEqual(['Level 2:', 'Level 3:', 'Level 3:']);
    expect(inputs.methodRuns).toEqual([
      'Level 0: level0 deployment; open phase 4s at 512 req/s',
      'Level 2: level2 deployment; open phase 4s at 512 req/s',
      'Level 3: level3 deployment, TASK_CONCURRENCY per worker as configured; open phase 4s at 512 req/s',
    ]);
    expect(inputs.phases.map((p) => p.name)).toEqual([
      'level0 throughput',
      'level0 latency',
      'level2 throughput',
      'level2 latency',
      'level3 throughput',
      'level3 latency',
    ]);
  });

  it('an analysis brings its own table columns', () => {
    const inputs = analysisInputs({ phases: [], figures: SMALL_CACHE });
    expect(inputs.tableColumns).toBe(inputs.columns);
    expect(inputs.columns.map((c) => c.key)).toEqual(['cold', 'warm']);
  });

  it('saturation warnings name the column and the phase', () => {
    expect(saturationWarnings('Level 0', [phase('level0 warm-up'), phase('level0 latency', true)])).toEqual([
      'Level 0, phase "level0 latency": the load generator was saturated (send lag); its figures measure the generator, not the SUT.',
    ]);
  });
});

describe('the ladder config written into run.json', () => {
  it('hides URL passwords, the admin token and secret-named --sut-env values', () => {
    const settings = {
      quick: true,
      warmupSec: 1,
      closedSec: 1,
      openSec: 1,
      connections: 1,
      loadFraction: 0.5,
      targets: DEFAULT_KPI_TARGETS,
      databaseUrl: 'postgres://app:hunter2@db:5432/x',
      redisUrl: 'redis://:s3cret@cache:6379',
      adminToken: 'admin-token-123',
      sutEnv: { AUTH_SECRET: 'sut-secret-456', LATENCY: 'fixed:5' },
    };
    const { config } = buildLadderReport({
      settings,
      phases: [],
      checks: [],
      columns: [],
      tableColumns: [],
      methodRuns: [],
      notes: [],
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://app:***@db:5432/x',
      adminToken: '(set)',
      sutEnv: { AUTH_SECRET: '***', LATENCY: 'fixed:5' },
    });
    expect(JSON.stringify(config)).not.toMatch(/hunter2|s3cret|admin-token-123|sut-secret-456/);
  });
});
