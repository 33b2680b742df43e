// The machine's reference figures, measured in the run's own session, with the machine's identity: a bare node:http
// server's closed-model throughput under our own closed engine, and the time of a fixed CPU workload. Two runs from
// different machines compare by normalising with the ratio of their reference figures.
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startBareJsonServer } from '../bench/targets.ts';
import { closedEngine, type Phase } from '../engine/engine.ts';
import { round3 } from '../engine/histogram.ts';
import { Recorder } from '../engine/recorder.ts';
import { EnvironmentError, InternalError } from '../errors.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import type { CalibrationReport, MachineIdentity } from '../report/model.ts';

export type { MachineIdentity } from '../report/model.ts';
/** run.json's `calibration`: the machine's identity and its two reference figures. */
export type Calibration = CalibrationReport;

export interface CalibrationOptions {
  /** Seconds of closed-model load on the bare server; default 2. */
  durationSec?: number;
  /** Connections of that load; default 8. */
  connections?: number;
}

const DEFAULT_DURATION_SEC = 2;
const DEFAULT_CONNECTIONS = 8;
const TIMEOUT_MS = 10_000;
const WARMUP_SEC = 0.3;
const BURSTS = 3;
const BYTES_PER_MB = 1_048_576;

/** Iterations of the CPU workload: about 30 ms on a 2020s server core. */
export const CPU_ITERATIONS = 20_000_000;
/** The workload's result for CPU_ITERATIONS; checking it consumes the result, so the loop cannot be optimised away. */
export const CPU_CHECKSUM = 1_561_544_068;
const CPU_REPETITIONS = 5;

/** What the machine is, from node:os (cores: what this process may use). */
export function machineIdentity(): MachineIdentity {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryMb: Math.round(totalmem() / BYTES_PER_MB),
    kernel: release(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
  };
}

/**
 * Measures both reference figures: the CPU workload first (nothing else running), then the bare server under a
 * closed load, which is always stopped afterwards. Prints nothing.
 */
export async function measureCalibration(o: CalibrationOptions = {}): Promise<Calibration> {
  const durationSec = o.durationSec ?? DEFAULT_DURATION_SEC;
  const connections = o.connections ?? DEFAULT_CONNECTIONS;
  const machine = machineIdentity();
  const cpuMs = measureCpuMs();
  const httpRps = await measureHttpRps(durationSec, connections);
  return { machine, httpRps, cpuMs, durationSec, connections };
}

/** How many times faster machine b is than machine a by the HTTP reference (b.httpRps / a.httpRps). */
export function calibrationRatio(a: Calibration, b: Calibration): number {
  return b.httpRps / a.httpRps;
}

/** Same machine: identical cpuModel, cores, memoryMb and kernel. */
export function sameMachine(a: MachineIdentity, b: MachineIdentity): boolean {
  return a.cpuModel === b.cpuModel && a.cores === b.cores && a.memoryMb === b.memoryMb && a.kernel === b.kernel;
}

/** Closed-model req/s of the bare node:http JSON server: the best of three bursts (completed over elapsed time). */
async function measureHttpRps(durationSec: number, connections: number): Promise<number> {
  const server = await startBareJsonServer();
  try {
    const load = (name: string, seconds: number, recorder: Recorder) =>
      closedEngine.run({ name, model: 'closed', durationSec: seconds, connections, judged: false } satisfies Phase, {
        target: server.url,
        scenario: createAdHocScenario({ path: '/' }),
        recorder,
        timeoutMs: TIMEOUT_MS,
        seed: 1,
      });
    // A short unmeasured run first: the server's and the engine's first requests run cold (JIT, sockets).
    await load('calibration warm-up', WARMUP_SEC, new Recorder());
    // The best of three bursts: what other processes take from the cores lowers a burst, never raises one.
    let best = 0;
    for (let burst = 1; burst <= BURSTS; burst++) best = Math.max(best, await measureBurst(load, durationSec / BURSTS));
    return best;
  } finally {
    await server.stop();
  }
}

async function measureBurst(
  load: (name: string, seconds: number, recorder: Recorder) => ReturnType<typeof closedEngine.run>,
  seconds: number,
): Promise<number> {
  const recorder = new Recorder();
  const run = await load('calibration', seconds, recorder);
  const { completed, failed } = recorder.counts;
  if (completed === 0 || failed > 0)
    throw new EnvironmentError(
      `calibration: the bare node:http server answered ${completed} requests and failed ${failed}` +
        ` (${JSON.stringify({ ...recorder.counts.byStatus, ...recorder.counts.byError })})`,
    );
  return Math.round(completed / run.elapsedSec);
}

/** Median milliseconds of CPU_REPETITIONS runs of the workload, to 3 decimals. */
function measureCpuMs(): number {
  const times: number[] = [];
  for (let i = 0; i < CPU_REPETITIONS; i++) {
    const startedMs = performance.now();
    const result = cpuWorkload(CPU_ITERATIONS);
    times.push(performance.now() - startedMs);
    if (result !== CPU_CHECKSUM)
      throw new InternalError(`calibration: the CPU workload returned ${result}, expected ${CPU_CHECKSUM}`);
  }
  times.sort((x, y) => x - y);
  return round3(times[Math.floor(times.length / 2)]!);
}

/** A xorshift32 stream folded by an FNV-style multiply: integer-only, allocation-free, the same result everywhere. */
export function cpuWorkload(iterations: number): number {
  let x = 0x9e3779b9 | 0;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (Math.imul(acc ^ x, 0x01000193) + i) | 0;
  }
  return acc >>> 0;
}
