// bench engine's I/O: our closed engine against the autocannon CLI and wrk on one fixed-body target; the closed
// model's p50/p99 at low load; the open engine's send precision at a low rate; the open engine's honest highest
// rate per generator thread count, bisected beside wrk2's under the same p99 rule; this process's RSS at that rate.
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Phase } from '../engine/engine.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { withCleanup } from '../env/processes.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../report/model.ts';
import { openSession, type Session, type SessionOptions } from '../run/session.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import { findTool, measureAutocannonCli, measureWrk, measureWrk2, runToEnd, type LoadSpec } from './generators.ts';
import {
  defaultThreadCounts,
  highestHeldRps,
  highestOnScheduleRps,
  judgeOpenProbe,
  judgeWrk2Probe,
  nextProbeRate,
  RATE_SEARCH,
  summarizeRss,
  type EngineFigures,
  type OpenProbeVerdict,
  type Probed,
  type RateSearch,
  type RssSummary,
  type Wrk2ProbeVerdict,
} from './judge.ts';
import { startHelloTarget } from './targets.ts';
import { describeOpenProbe, describeWrk2Probe } from '../report/words/bench.ts';

export interface EngineOptions {
  /** Connections of the closed measurements and of wrk2. */
  connections: number;
  warmupSec: number;
  /** The closed model with one connection: the low-load p50/p99. */
  baselineSec: number;
  /** Each closed measurement (our engine, the autocannon CLI, wrk). */
  durationSec: number;
  precisionSec: number;
  /** Whole seconds: wrk2 takes no fraction, and both sides probe alike. */
  probeSec: number;
  maxProbes: number;
  /** Idle time before each probe, so the last one's teardown (sockets closing, garbage) does not land in it. */
  settleSec: number;
  rssDurationSec: number;
  /** Generator thread counts to search; default from the cores the generator has to itself. */
  threads?: number[];
}

/** Which CPUs each side had: pinned apart with taskset, or sharing them all. */
export type Pinning = { generatorCpus: number[]; targetCpu: number; cpus: number } | { cpus: number };

export interface EngineBenchRun {
  figures: EngineFigures;
  /** The open engine's probes per thread count, in the order they ran. */
  openSearches: { threads: number; probes: OpenProbeVerdict[] }[];
  /** wrk2's probes; undefined when wrk2 is not on PATH. */
  wrk2Probes?: Wrk2ProbeVerdict[];
  threads: number[];
  phases: PhaseResult[];
  series: SeriesRow[];
  target: string;
  pinning: Pinning;
  tools: { wrk: string | null; wrk2: string | null };
  /** The machine's 1-minute load average when the bench started and when it ended (os.loadavg). */
  loadAverage: { start: number; end: number };
}

/** The single-threaded sides (our calling thread, wrk, wrk2, the autocannon CLI) run here. */
const GENERATOR_CPU = 0;
const TARGET_CPU = 1;
const TIMEOUT_MS = 10_000;
const RSS_SAMPLE_MS = 1_000;
const BYTES_PER_MB = 1_048_576;
/** The send-precision phase's rate, and the RSS run's when no rate held. */
export const PRECISION_RPS = 1_000;

export async function runEngineBench(o: EngineOptions, io: CommandIO): Promise<EngineBenchRun> {
  const loadAtStart = loadavg()[0]!;
  const cpus = availableParallelism(); // read before pinning narrows this process's affinity
  const tasksetPath = cpus >= 2 ? await findTool('taskset') : null;
  const pinning: Pinning = tasksetPath
    ? { generatorCpus: generatorCpusOf(cpus), targetCpu: TARGET_CPU, cpus }
    : { cpus };
  const affinity = tasksetPath ? await pinSelf(tasksetPath, [GENERATOR_CPU]) : undefined;
  const generatorCores = 'generatorCpus' in pinning ? pinning.generatorCpus.length : 0;
  const threads = o.threads ?? defaultThreadCounts(generatorCores);
  try {
    return await withCleanup(async () => {
      const [nginxPath, wrkPath, wrk2Path] = await Promise.all([findTool('nginx'), findTool('wrk'), findTool('wrk2')]);
      const target = await startHelloTarget({ nginxPath, tasksetPath, ...(tasksetPath ? { cpu: TARGET_CPU } : {}) });
      io.stderr.write(`bench engine: target ${target.name} at ${target.url}\n`);
      if (!wrk2Path) io.stderr.write('bench engine: wrk2 not on PATH, its comparison is skipped\n');
      const series: SeriesRow[] = [];
      const sessionOptions: SessionOptions = {
        target: target.url,
        scenario: createAdHocScenario({ path: '/' }),
        timeoutMs: TIMEOUT_MS,
        seed: 1,
        processes: [{ name: 'target', pid: target.pid, group: 'sut' }], // the monitor samples its CPU and RSS
        io,
        label: 'bench engine',
        series,
        generatorThreads: 1,
      };
      const sessions = new Sessions(sessionOptions);
      try {
        const tools = { tasksetPath, wrkPath, wrk2Path };
        const measured = await measureAll(sessions, target.url, o, threads, pinning, affinity, tools, io);
        return {
          ...measured,
          threads,
          series,
          target: target.name,
          pinning,
          tools: { wrk: wrkPath, wrk2: wrk2Path },
          loadAverage: { start: loadAtStart, end: loadavg()[0]! },
        };
      } finally {
        sessions.stopAll();
      }
    });
  } finally {
    await affinity?.restore(); // the run's environment (and a test's process) sees every core again
  }
}

/** Every CPU but the target's: the cores the generator has to itself when the two are pinned apart. */
function generatorCpusOf(cpus: number): number[] {
  return Array.from({ length: cpus }, (_, cpu) => cpu).filter((cpu) => cpu !== TARGET_CPU);
}

/** One session per generator thread count (a session's engine context names its threads), opened when first used. */
class Sessions {
  private readonly open = new Map<number, Session>();
  constructor(private readonly options: SessionOptions) {}

  async for(threads: number): Promise<Session> {
    const known = this.open.get(threads);
    if (known) return known;
    const label = threads === 1 ? 'bench engine' : `bench engine (${threads} threads)`;
    const session = await openSession({ ...this.options, generatorThreads: threads, label });
    this.open.set(threads, session);
    return session;
  }

  stopAll(): void {
    for (const session of this.open.values()) session.stop();
  }
}

interface Affinity {
  /** Every thread of this process (and the worker threads it starts later) runs on these CPUs. */
  set(cpus: number[]): Promise<void>;
  restore(): Promise<void>;
}

/**
 * Pins every thread of this process (taskset -a -p: the main thread, libuv's and V8's helpers; worker threads
 * started later inherit it), so the generator keeps to its cores and the target has its own; restore() puts
 * back the affinity the process had.
 */
async function pinSelf(tasksetPath: string, cpus: number[]): Promise<Affinity> {
  const pid = String(process.pid);
  const apply = (list: string) => runToEnd('taskset', [tasksetPath, '-a', '-p', '-c', list, pid]);
  let current = cpus.join(',');
  const { output } = await apply(current);
  const before = /current affinity list: (\S+)/.exec(output)?.[1];
  return {
    async set(next) {
      const list = next.join(',');
      if (list !== current) await apply(list);
      current = list;
    },
    async restore() {
      if (before) await apply(before);
    },
  };
}

interface Tools {
  tasksetPath: string | null;
  wrkPath: string | null;
  wrk2Path: string | null;
}

async function measureAll(
  sessions: Sessions,
  url: string,
  o: EngineOptions,
  threads: number[],
  pinning: Pinning,
  affinity: Affinity | undefined,
  tools: Tools,
  io: CommandIO,
) {
  const main = await sessions.for(1);
  const phases: PhaseResult[] = [];
  const run = async (phase: Phase, session = main): Promise<PhaseResult> => {
    const result = await session.runPhase(phase);
    phases.push(result);
    return result;
  };
  const closed = (name: string, connections: number, durationSec: number, judged = true): Phase => ({
    name,
    model: 'closed',
    connections,
    durationSec,
    judged,
  });
  await run(closed('warm-up', o.connections, o.warmupSec, false)); // warms both sides
  const low = (await run(closed('closed, 1 connection (low-load baseline)', 1, o.baselineSec))).report.latencyMs;
  const baseline = { p50Ms: low.p50, p99Ms: low.p99 };
  io.stderr.write(`closed model, 1 connection: p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms\n`);

  const closedRps = (await run(closed('closed engine', o.connections, o.durationSec))).report.throughputRps;
  io.stderr.write(`closed engine: ${Math.round(closedRps)} req/s\n`);
  const cpu = 'generatorCpus' in pinning ? { cpu: GENERATOR_CPU } : {};
  const spec: LoadSpec = { url, connections: o.connections, durationSec: o.durationSec, ...cpu };
  const autocannonCliRps = (await measureAutocannonCli(spec, tools.tasksetPath)).rps;
  io.stderr.write(`autocannon CLI: ${Math.round(autocannonCliRps)} req/s\n`);
  const wrkRps = tools.wrkPath ? (await measureWrk(tools.wrkPath, spec, tools.tasksetPath)).rps : undefined;
  if (wrkRps !== undefined) io.stderr.write(`wrk -t1: ${Math.round(wrkRps)} req/s\n`);

  const open = (name: string, targetRps: number, durationSec: number): Phase => ({
    name,
    model: 'open',
    targetRps,
    durationSec,
    judged: true,
  });
  const precisionPhase = await run(open(`precision ${PRECISION_RPS} req/s`, PRECISION_RPS, o.precisionSec));
  const precision = precisionOf(precisionPhase);
  io.stderr.write(
    `precision at ${PRECISION_RPS} req/s: send lag p50 ${precision.sendLagP50Ms} ms, ` +
      `p99 ${precision.sendLagP99Ms} ms; ` +
      `p50 ${precision.p50Ms} ms; generator CPU ${precision.cpuPctMean}%\n`,
  );

  const search: RateSearch = { maxProbes: o.maxProbes, capRps: RATE_SEARCH.capRps };
  const generatorCpus = 'generatorCpus' in pinning ? pinning.generatorCpus : [];
  const openSearches = threads.map((count) => ({ threads: count, probes: [] as OpenProbeVerdict[] }));
  const searches: Search[] = openSearches.map((s) => ({
    probes: s.probes,
    probe: async (rateRps) => {
      // One thread keeps to the generator's first CPU; several share every core the generator has.
      await affinity?.set(s.threads > 1 ? generatorCpus : [GENERATOR_CPU]);
      const name = `open probe, ${s.threads} thread${s.threads === 1 ? '' : 's'}, ${rateRps} req/s`;
      const phase = await run(open(name, rateRps, o.probeSec), await sessions.for(s.threads));
      const verdict = judgeOpenProbe(rateRps, openProbeFigures(phase), baseline.p99Ms);
      io.stderr.write(`${describeOpenProbe(s.threads, verdict)}\n`);
      return verdict;
    },
  }));
  const wrk2Probes: Wrk2ProbeVerdict[] | undefined = tools.wrk2Path ? [] : undefined;
  if (tools.wrk2Path && wrk2Probes) {
    const wrk2Path = tools.wrk2Path;
    const wrk2Run = { connections: o.connections, durationSec: o.probeSec };
    searches.push({
      probes: wrk2Probes,
      probe: async (rateRps) => {
        await affinity?.set([GENERATOR_CPU]);
        const measured = await measureWrk2(wrk2Path, { url, ...wrk2Run, rateRps, ...cpu }, tools.tasksetPath);
        const { p50Ms, p99Ms, errors } = measured;
        const figures = { achievedRps: measured.rps, p50Ms, p99Ms, errors };
        const verdict = judgeWrk2Probe(rateRps, figures, baseline.p99Ms, wrk2Run);
        io.stderr.write(`${describeWrk2Probe(verdict)}\n`);
        return verdict;
      },
    });
  }
  // Probes alternate, so a shared machine's changing load falls on every side alike.
  await searchInTurns(searches, search, o.settleSec);
  await affinity?.set([GENERATOR_CPU]);
  const openMax = openSearches.map((s) => ({
    threads: s.threads,
    maxRps: highestHeldRps(s.probes, search.capRps),
    onScheduleRps: highestOnScheduleRps(s.probes),
  }));
  const wrk2 = wrk2Probes
    ? { wrk2MaxRps: highestHeldRps(wrk2Probes, search.capRps), wrk2OnScheduleRps: highestOnScheduleRps(wrk2Probes) }
    : {};

  // RSS over a long open run at the first thread count's honest rate; when none held, its highest probe on
  // schedule, else PRECISION_RPS.
  const rssThreads = openMax[0]?.threads ?? 1;
  const rssRateRps = openMax[0]?.maxRps || openMax[0]?.onScheduleRps || PRECISION_RPS;
  await affinity?.set(rssThreads > 1 ? generatorCpus : [GENERATOR_CPU]);
  const rssSession = await sessions.for(rssThreads);
  const rssRun = await measureRss(() =>
    run(open(`RSS run ${rssRateRps} req/s`, rssRateRps, o.rssDurationSec), rssSession),
  );
  await affinity?.set([GENERATOR_CPU]);
  const figures: EngineFigures = {
    closedRps,
    autocannonCliRps,
    ...(wrkRps !== undefined ? { wrkRps } : {}),
    baseline,
    open: openMax,
    ...wrk2,
    precision,
    rss: { ...rssRun, rateRps: rssRateRps, threads: rssThreads },
  };
  return { figures, openSearches, ...(wrk2Probes ? { wrk2Probes } : {}), phases };
}

function precisionOf(phase: PhaseResult): EngineFigures['precision'] {
  const r = phase.report;
  return {
    rateRps: PRECISION_RPS,
    sendLagP50Ms: r.sendLagMs?.p50 ?? NaN,
    sendLagP99Ms: r.sendLagMs?.p99 ?? NaN,
    p50Ms: r.latencyMs.p50,
    cpuPctMean: r.generator.cpuPctMean,
  };
}

function openProbeFigures(phase: PhaseResult) {
  const r = phase.report;
  return {
    sent: r.requests.sent,
    completed: r.requests.completed,
    failed: r.requests.failed,
    lateSends: r.lateSends ?? 0,
    sendLagP99Ms: r.sendLagMs?.p99 ?? NaN,
    p99Ms: r.latencyMs.p99,
    generatorSaturated: r.generatorSaturated,
    ...(r.saturationReason ? { saturationReason: r.saturationReason } : {}),
  };
}

interface Search {
  probes: Probed[];
  probe(rateRps: number): Promise<Probed>;
}

/** Runs every bisection to its end, one probe of each in turn. */
async function searchInTurns(searches: Search[], search: RateSearch, settleSec: number): Promise<void> {
  for (let probed = true; probed;) {
    probed = false;
    for (const s of searches) {
      const rateRps = nextProbeRate(s.probes, search);
      if (rateRps === undefined) continue;
      await delay(settleSec * 1000);
      s.probes.push(await s.probe(rateRps));
      probed = true;
    }
  }
}

/** Samples this process's RSS once a second while `run` loads the target. */
async function measureRss(run: () => Promise<PhaseResult>): Promise<RssSummary> {
  const samplesMb: number[] = [];
  const sample = () => samplesMb.push(process.memoryUsage().rss / BYTES_PER_MB);
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  try {
    await run();
    sample();
    return summarizeRss(samplesMb);
  } finally {
    clearInterval(timer);
  }
}
