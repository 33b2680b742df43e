// bench engine's I/O: our closed engine against the autocannon CLI and wrk on one fixed-body target, the open
// engine's highest on-schedule rate, and this process's RSS under load; our engine's phases run in one session.
import { availableParallelism } from 'node:os';
import type { Phase } from '../engine/engine.ts';
import type { PhaseResult } from '../engine/phase-result.ts';
import { withCleanup } from '../env/processes.ts';
import type { CommandIO } from '../io.ts';
import type { SeriesRow } from '../report/model.ts';
import { withSession, type Session } from '../run/session.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import { findTool, measureAutocannonCli, measureWrk, runToEnd, type LoadSpec } from './generators.ts';
import {
  highestHeldRps,
  judgeProbe,
  nextProbeRate,
  summarizeRss,
  type EngineFigures,
  type ProbeVerdict,
} from './judge.ts';
import { startHelloTarget } from './targets.ts';
import { describeProbe } from '../report/words/bench.ts';

export interface EngineOptions {
  connections: number;
  durationSec: number;
  rssDurationSec: number;
}

export interface EngineBenchRun {
  figures: EngineFigures;
  probes: ProbeVerdict[];
  phases: PhaseResult[];
  series: SeriesRow[];
  target: string;
  /** Which CPU each side had: pinned apart with taskset, or sharing them all. */
  pinning: { generatorCpu: number; targetCpu: number; cpus: number } | { cpus: number };
}

const GENERATOR_CPU = 0;
const TARGET_CPU = 1;
const WARMUP_SEC = 2;
const PROBE_SEC = 3;
const TIMEOUT_MS = 10_000;
const RSS_SAMPLE_MS = 1_000;
const BYTES_PER_MB = 1_048_576;

export async function runEngineBench(o: EngineOptions, io: CommandIO): Promise<EngineBenchRun> {
  const cpus = availableParallelism(); // read before pinning narrows this process's affinity
  const tasksetPath = cpus >= 2 ? await findTool('taskset') : null;
  const pinning = tasksetPath ? { generatorCpu: GENERATOR_CPU, targetCpu: TARGET_CPU, cpus } : { cpus };
  const unpin = tasksetPath ? await pinSelf(tasksetPath, GENERATOR_CPU) : async () => undefined;
  try {
    return await withCleanup(async () => {
      const [nginxPath, wrkPath] = await Promise.all([findTool('nginx'), findTool('wrk')]);
      const target = await startHelloTarget({ nginxPath, tasksetPath, ...(tasksetPath ? { cpu: TARGET_CPU } : {}) });
      io.stderr.write(`bench engine: target ${target.name} at ${target.url}\n`);
      const series: SeriesRow[] = [];
      const scenario = createAdHocScenario({ path: '/' });
      const processes = [{ name: 'target', pid: target.pid, group: 'sut' }]; // the monitor samples the target's CPU and RSS
      const options = {
        target: target.url,
        scenario,
        timeoutMs: TIMEOUT_MS,
        seed: 1,
        processes,
        io,
        label: 'bench engine',
        series,
      };
      const tools = { tasksetPath, wrkPath };
      const measured = await withSession(options, (session) => measureAll(session, target.url, o, tools, io));
      return { ...measured, series, target: target.name, pinning };
    });
  } finally {
    await unpin(); // the run's environment (and a test's process) sees every core again
  }
}

/**
 * Pins this process's main thread (taskset -p), so the generator gets one core and the target another;
 * resolves with the function that restores the affinity it had.
 */
async function pinSelf(tasksetPath: string, cpu: number): Promise<() => Promise<void>> {
  const pid = String(process.pid);
  const { output } = await runToEnd('taskset', [tasksetPath, '-p', '-c', String(cpu), pid]);
  const before = /current affinity list: (\S+)/.exec(output)?.[1];
  return async () => {
    if (before) await runToEnd('taskset', [tasksetPath, '-p', '-c', before, pid]);
  };
}

interface Tools {
  tasksetPath: string | null;
  wrkPath: string | null;
}

async function measureAll(session: Session, url: string, o: EngineOptions, tools: Tools, io: CommandIO) {
  const closedPhase = (name: string, durationSec: number, judged = true): Phase => ({
    name,
    model: 'closed',
    connections: o.connections,
    durationSec,
    judged,
  });
  const phases = [await session.runPhase(closedPhase('warm-up', WARMUP_SEC, false))]; // warms both sides
  const closed = await session.runPhase(closedPhase('closed engine', o.durationSec));
  phases.push(closed);
  const closedRps = closed.report.throughputRps;
  io.stderr.write(`closed engine: ${Math.round(closedRps)} req/s\n`);
  const pinned = tools.tasksetPath ? { cpu: GENERATOR_CPU } : {};
  const spec: LoadSpec = { url, connections: o.connections, durationSec: o.durationSec, ...pinned };
  const autocannonCliRps = (await measureAutocannonCli(spec, tools.tasksetPath)).rps;
  io.stderr.write(`autocannon CLI: ${Math.round(autocannonCliRps)} req/s\n`);
  const wrkRps = tools.wrkPath ? (await measureWrk(tools.wrkPath, spec, tools.tasksetPath)).rps : undefined;
  if (wrkRps !== undefined) io.stderr.write(`wrk -t1: ${Math.round(wrkRps)} req/s\n`);
  // Before the open probes, whose sockets and buffers would inflate it.
  const rssRun = await measureRss(() => session.runPhase(closedPhase('RSS run', o.rssDurationSec)));
  phases.push(rssRun.phase);
  const search = await searchOpenRate(session, closedRps, io);
  phases.push(...search.phases);
  const wrk = wrkRps !== undefined ? { wrkRps } : {};
  const figures: EngineFigures = { closedRps, autocannonCliRps, ...wrk, openMaxRps: search.maxRps, rss: rssRun.rss };
  return { figures, probes: search.probes, phases };
}

/** Samples this process's RSS once a second while `run` loads the target at full rate. */
async function measureRss(run: () => Promise<PhaseResult>): Promise<{ phase: PhaseResult; rss: EngineFigures['rss'] }> {
  const samplesMb: number[] = [];
  const sample = () => samplesMb.push(process.memoryUsage().rss / BYTES_PER_MB);
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  try {
    const phase = await run();
    sample();
    return { phase, rss: summarizeRss(samplesMb) };
  } finally {
    clearInterval(timer);
  }
}

/** Bisects the open engine's highest rate with ≤ 1% late sends, in short probes. */
async function searchOpenRate(
  session: Session,
  closedRps: number,
  io: CommandIO,
): Promise<{ maxRps: number; probes: ProbeVerdict[]; phases: PhaseResult[] }> {
  const probes: ProbeVerdict[] = [];
  const phases: PhaseResult[] = [];
  for (
    let rateRps = nextProbeRate(closedRps, probes);
    rateRps !== undefined;
    rateRps = nextProbeRate(closedRps, probes)
  ) {
    const phase = await session.runPhase({
      name: `open probe ${rateRps} req/s`,
      model: 'open',
      targetRps: rateRps,
      durationSec: PROBE_SEC,
      judged: true,
    });
    const r = phase.report.requests;
    const verdict = judgeProbe(rateRps, {
      sent: r.sent,
      completed: r.completed,
      failed: r.failed,
      lateSends: phase.report.lateSends ?? 0,
    });
    io.stderr.write(`${describeProbe(verdict)}\n`);
    probes.push(verdict);
    phases.push(phase);
  }
  return { maxRps: highestHeldRps(closedRps, probes), probes, phases };
}
