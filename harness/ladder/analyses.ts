// The I/O of the cache, stress and knee benches: deploy (or --target), verify, run their phases, hand back what the report needs.
import { setTimeout as delay } from 'node:timers/promises';
import { withCleanup } from '../env/processes.ts';
import type { CommandIO } from '../io.ts';
import type { Phase } from '../run/plan.ts';
import type { SeriesRow } from '../report/model.ts';
import { withSession, type SessionSideRequests } from '../run/session.ts';
import { planClosedPhases } from './level.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import type { AnalysisFigures } from '../report/figures.ts';
import { describePids, startDeployment, type DeploySpec, type StartedDeployment } from '../env/deploy.ts';
import type { LevelSettings } from '../run/ladder-config.ts';
import { createCachedRead, createStandardMix } from '../scenario/standard-mix.ts';
import {
  CACHE_ID_RANGE,
  CACHE_SUT_ENV,
  COLD_START_WINDOW_MS,
  cachePhases,
  flushCache,
  hitRatePct,
  judgeCache,
  judgeColdStart,
  scrapeCacheCounters,
  scrapeCacheCountersAfter,
} from './cache.ts';
import { overloadOfPhase } from '../report/overload.ts';
import { judgeStress, probePhase, searchRate, type SearchOptions, type Slo } from './stress.ts';
import { judgeKnee, nextConnections, sweepPhase, toStep, type KneeOptions, type KneeStep } from './knee.ts';

/** A finished cache, stress or knee run: its phases and its figures (report/ words them). */
export interface AnalysisRun {
  phases: PhaseResult[];
  figures: AnalysisFigures;
  /** Verification calls and same-origin monitor probes: run.json counts them beside the phases. */
  side?: SessionSideRequests;
}

interface Deployed {
  dep: StartedDeployment;
  run: (phase: Phase) => Promise<PhaseResult>;
}

/**
 * Deploys, opens a measurement session on `scenario` and lends `body` its phase runner; stops everything afterwards.
 * The run it returns carries the session's side requests (verification, probes).
 */
function withDeployment(
  s: LevelSettings,
  spec: DeploySpec,
  scenario: Scenario,
  io: CommandIO,
  series: SeriesRow[],
  body: (d: Deployed) => Promise<AnalysisRun>,
): Promise<AnalysisRun> {
  return withCleanup(async () => {
    const dep = await startDeployment(s, spec);
    io.stderr.write(`${dep.description} at ${dep.url}${describePids(dep)}\n`);
    const options = {
      target: dep.url,
      scenario,
      timeoutMs: s.timeoutMs,
      seed: s.seed,
      processes: dep.processes,
      metricsUrl: dep.metricsUrl,
      readyUrl: dep.readyUrl,
      io,
      series,
      tallyHeader: s.tallyHeader,
      generatorThreads: s.generatorThreads,
      arrivals: s.arrivals,
      checkSample: s.checkSample,
    };
    try {
      return await withSession(options, async (session) => {
        const run = await body({ dep, run: (phase) => session.runPhase(phase) });
        return { ...run, side: session.sideRequests() };
      });
    } finally {
      await dep.stop();
    }
  });
}

/** --path turns a stress or knee run into an ad-hoc GET of that path (any HTTP server); else the standard mix. */
export function analysisScenario(path: string | undefined): Scenario {
  return path ? createAdHocScenario({ method: 'GET', path }) : createStandardMix();
}

/** A pause before each stress probe, so the backlog a failing probe left behind drains first. */
const COOLDOWN_MS = 1_000;

const productionSpec = (s: LevelSettings): DeploySpec => ({
  workers: s.workers,
  needRedis: false,
  env: { CACHE: 'on' },
});

export async function runCacheAnalysis(s: LevelSettings, io: CommandIO, series: SeriesRow[]): Promise<AnalysisRun> {
  const workers = s.workersGiven ? s.workers : 1;
  const scenario = createCachedRead(CACHE_ID_RANGE);
  return withDeployment(
    s,
    { workers, needRedis: false, env: { ...CACHE_SUT_ENV } },
    scenario,
    io,
    series,
    async ({ dep, run }) => {
      const warmup = await run(planClosedPhases('cache', s)[0]!);
      const { cold, warm } = cachePhases(s.closedSec, s.connections);
      // The flush answers once every worker of the node is empty; the cold run's first second says whether it was.
      const flush = await flushCache(dep.url, s.adminToken);
      const c0 = await scrapeCacheCounters(dep.url);
      const windowMs = Math.min(COLD_START_WINDOW_MS, s.closedSec * 1000);
      const firstSecond = scrapeCacheCountersAfter(dep.url, windowMs);
      const coldRun = await run(cold);
      const c0First = await firstSecond;
      const c1 = await scrapeCacheCounters(dep.url);
      const warmRun = await run(warm);
      const c2 = await scrapeCacheCounters(dep.url);
      const setup = {
        deployment: dep.description,
        workersGiven: s.workersGiven,
        runSec: s.closedSec,
        connections: s.connections,
      };
      const coldStart = judgeColdStart({
        windowSec: windowMs / 1000,
        before: c0,
        after: c0First,
        flush,
        workersStarted: dep.suts.length > 0 ? workers : null,
      });
      const coldFigures = { report: coldRun.report, hitRatePct: hitRatePct(c0, c1) };
      const warmFigures = { report: warmRun.report, hitRatePct: hitRatePct(c1, c2) };
      const figures = judgeCache(coldFigures, warmFigures, setup, coldStart);
      return { phases: [warmup, coldRun, warmRun], figures };
    },
  );
}

export async function runStressAnalysis(
  s: LevelSettings,
  slo: Slo,
  search: Omit<SearchOptions, 'startRps'> & { startRps?: number },
  probeSec: number,
  path: string | undefined,
  io: CommandIO,
  series: SeriesRow[],
): Promise<AnalysisRun> {
  return withDeployment(s, productionSpec(s), analysisScenario(path), io, series, async ({ dep, run }) => {
    const phases: PhaseResult[] = [await run(planClosedPhases('stress', s)[0]!)];
    let startRps = search.startRps;
    if (startRps === undefined) {
      const capacity = await run({
        name: 'stress capacity',
        model: 'closed',
        connections: s.connections,
        durationSec: s.closedSec,
        judged: false,
      });
      phases.push(capacity);
      startRps = Math.max(search.minRps, Math.round(capacity.report.throughputRps * 0.5));
    }
    const options: SearchOptions = { ...search, startRps };
    let lowestP50Ms: number | undefined; // the probes' lowest p50: the target's latency at a load it kept up with
    const probe = async (rate: number) => {
      await delay(COOLDOWN_MS); // the previous phase's backlog (queued requests) must not spill into this probe
      const from = series.length;
      const result = await run(probePhase(rate, probeSec));
      // What the target did with this rate (shed, queued, …), from the probe's own seconds of the series.
      const overload = overloadOfPhase(result.report, series.slice(from), lowestP50Ms);
      lowestP50Ms = Math.min(lowestP50Ms ?? Infinity, result.report.latencyMs.p50);
      return { ...result, report: { ...result.report, overload } };
    };
    const { result, phases: probes } = await searchRate(probe, slo, options);
    const setup = {
      deployment: dep.description,
      ...(path ? { path } : {}),
      probeSec,
      cooldownSec: COOLDOWN_MS / 1000,
      capacitySec: search.startRps === undefined ? s.closedSec : null,
    };
    return { phases: [...phases, ...probes], figures: judgeStress(result, slo, options, setup) };
  });
}

export async function runKneeAnalysis(
  s: LevelSettings,
  o: KneeOptions,
  stepSec: number,
  path: string | undefined,
  io: CommandIO,
  series: SeriesRow[],
): Promise<AnalysisRun> {
  return withDeployment(s, productionSpec(s), analysisScenario(path), io, series, async ({ dep, run }) => {
    const phases: PhaseResult[] = [await run(planClosedPhases('knee', s)[0]!)];
    const steps: KneeStep[] = [];
    for (let c = nextConnections(steps, o); c !== undefined; c = nextConnections(steps, o)) {
      const phase = await run(sweepPhase(c, stepSec));
      phases.push(phase);
      steps.push(toStep(phase.report, steps[steps.length - 1]));
    }
    const setup = { deployment: dep.description, ...(path ? { path } : {}), stepSec };
    return { phases, figures: judgeKnee(steps, o, setup) };
  });
}
