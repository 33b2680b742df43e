// Samples once a second: the generator's own CPU and event-loop delay, every named process by pid (the SUT's
// primary and workers, PostgreSQL, Redis, the load balancer, this process and its threads), the machine's CPU,
// the SUT's /metrics and /ready. It counts its own probes and times its own work.
import { performance, type IntervalHistogram } from 'node:perf_hooks';
import { createLoopDelay, loopDelayP99Ms } from './loop-delay.ts';
import { classifyError } from '../engine/accounting.ts';
import type { GeneratorReport, MonitorSample, PhaseReport, ProcessReport, SideRequests } from '../report/model.ts';
import { ProcessSampler, type ProcessRoot } from './processes.ts';
import { createProcReader, type ProcReader } from './proc.ts';
import { parsePrometheusText, readSutMetrics, type CacheCounters } from './prometheus.ts';

export type { MonitorSample, ProcessRoot };

/** A probe must finish inside its one-second tick. */
const PROBE_TIMEOUT_MS = 900;

export interface MonitorOptions {
  /** Named processes sampled by pid with their descendants; one without a pid is reported as not sampled. */
  processes?: ProcessRoot[];
  metricsUrl?: string;
  readyUrl?: string;
  /** Where /proc is read (default: the real one); tests give a fake. */
  reader?: ProcReader;
  /** Sample each thread of this process (default: true). */
  threads?: boolean;
}

/** What a phase adds to its PhaseReport from the monitor. */
export type PhaseResources = Pick<PhaseReport, 'processes' | 'machineCpuPctMean' | 'machineCpuPctMax' | 'monitor'>;

interface SampleCost {
  ms: number;
  processes: number;
  threads: number;
}

export class Monitor {
  private readonly loop: IntervalHistogram;
  private readonly phaseLoop: IntervalHistogram;
  private readonly sampler: ProcessSampler;
  private readonly probes: Required<SideRequests> = { requests: 0, byStatus: {}, byError: {} };
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private cache: CacheCounters | undefined;
  private phaseSamples: MonitorSample[] = [];
  private phaseCosts: SampleCost[] = [];

  constructor(private readonly opts: MonitorOptions = {}) {
    this.loop = createLoopDelay();
    this.phaseLoop = createLoopDelay();
    this.sampler = new ProcessSampler(opts.processes ?? [], {
      reader: opts.reader ?? createProcReader(),
      self: { pid: process.pid, name: 'generator', threads: opts.threads ?? true },
      now: () => performance.now(),
    });
    this.sampler.sample(); // the first readings: CPU% needs two
  }

  /** Starts a phase's figures; the next sample covers only time inside the phase. */
  beginPhase(): void {
    this.phaseSamples = [];
    this.phaseCosts = [];
    this.phaseLoop.reset();
    this.loop.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = performance.now();
    this.sampler.sample();
    this.cache = undefined;
  }

  /** Figures since the previous sample; call about once a second. */
  async sample(): Promise<MonitorSample> {
    const started = performance.now();
    const wallUs = Math.max(1, (started - this.lastAt) * 1000);
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    this.lastAt = started;
    const sample: MonitorSample = {
      generatorCpuPct: round1(((cpu.user + cpu.system) / wallUs) * 100),
      eventLoopP99Ms: loopDelayP99Ms(this.loop),
    };
    this.loop.reset();
    const ownCost = startCost();
    const snapshot = this.sampler.sample();
    const sut = snapshot.groups.sut;
    if (sut?.cpuPct !== undefined) sample.sutCpuPct = sut.cpuPct;
    if (sut?.rssMb !== undefined) sample.sutRssMb = sut.rssMb;
    let busyMs = ownCost();

    const [ready, metrics] = await Promise.all([
      this.opts.readyUrl ? this.probe(this.opts.readyUrl) : undefined,
      this.opts.metricsUrl ? this.probe(this.opts.metricsUrl) : undefined,
    ]);
    const parseCost = startCost();
    if (ready) sample.readyStatus = ready.status ?? 'down';
    if (metrics) sample.metricsOk = metrics.ok;
    if (metrics?.ok && metrics.text !== undefined) {
      const { figures, cache } = readSutMetrics(parsePrometheusText(metrics.text), this.cache);
      Object.assign(sample, figures);
      this.cache = cache;
    }
    if (snapshot.machineCpuPct !== undefined) sample.machineCpuPct = snapshot.machineCpuPct;
    sample.processes = snapshot.processes;
    sample.groups = snapshot.groups;
    busyMs += parseCost();
    sample.monitorMs = round2(busyMs);
    this.phaseSamples.push(sample);
    this.phaseCosts.push({ ms: busyMs, ...snapshot.read });
    return sample;
  }

  /** The generator's figures over the phase (engine/saturation.ts judges them), the SUT's, and the per-process ones. */
  endPhase(): {
    generator: GeneratorReport;
    sut?: { cpuPctMax: number; rssMbMax: number };
    resources: PhaseResources;
  } {
    const samples = this.phaseSamples;
    const cpu = samples.map((s) => s.generatorCpuPct);
    const eventLoopP99Ms = loopDelayP99Ms(this.phaseLoop);
    const generator: GeneratorReport = { cpuPctMean: mean(cpu) ?? 0, cpuPctMax: max(cpu) ?? 0, eventLoopP99Ms };
    const sutCpu = samples.flatMap((s) => (s.sutCpuPct === undefined ? [] : [s.sutCpuPct]));
    const sutRss = samples.flatMap((s) => (s.sutRssMb === undefined ? [] : [s.sutRssMb]));
    const sut = sutCpu.length ? { cpuPctMax: max(sutCpu)!, rssMbMax: max(sutRss) ?? 0 } : undefined;
    return { generator, ...(sut ? { sut } : {}), resources: this.phaseResources() };
  }

  /** The monitor's /ready and /metrics probes so far: how many, by status, by transport error. */
  probeCounts(): SideRequests {
    return {
      requests: this.probes.requests,
      byStatus: { ...this.probes.byStatus },
      byError: { ...this.probes.byError },
    };
  }

  stop(): void {
    this.loop.disable();
    this.phaseLoop.disable();
  }

  private phaseResources(): PhaseResources {
    const samples = this.phaseSamples;
    const machine = samples.flatMap((s) => (s.machineCpuPct === undefined ? [] : [s.machineCpuPct]));
    const costs = this.phaseCosts;
    const notSampled = this.sampler.notSampled();
    const processes = summarizeProcesses(samples);
    return {
      ...(processes.length ? { processes } : {}),
      ...(machine.length ? { machineCpuPctMean: mean(machine)!, machineCpuPctMax: max(machine)! } : {}),
      ...(costs.length
        ? {
            monitor: {
              samples: costs.length,
              msPerSample: round2(
                mean(
                  costs.map((c) => c.ms),
                  1000,
                )!,
              ),
              processes: round1(mean(costs.map((c) => c.processes))!),
              threads: round1(mean(costs.map((c) => c.threads))!),
              ...(notSampled.length ? { notSampled } : {}),
            },
          }
        : {}),
    };
  }

  private async probe(url: string): Promise<{ status?: number; ok: boolean; text?: string }> {
    this.probes.requests += 1;
    let status: number | undefined;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      status = res.status;
      this.probes.byStatus[String(status)] = (this.probes.byStatus[String(status)] ?? 0) + 1;
      const text = await res.text();
      return { status, ok: res.ok, text };
    } catch (error) {
      // A body that fails after its status line was counted by status already.
      if (status === undefined) {
        const kind = classifyError(error);
        this.probes.byError[kind] = (this.probes.byError[kind] ?? 0) + 1;
      }
      return { status, ok: false };
    }
  }
}

/**
 * Times a stretch of synchronous monitor work. Wall time counts moments the thread waited for a core; the
 * process's CPU time counts other threads (GC, the engine's workers) running meanwhile; the work's own CPU time
 * is at most either, so the smaller one is kept: an upper bound, tight when one of the two is quiet.
 */
function startCost(): () => number {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return Math.min(performance.now() - wall, (used.user + used.system) / 1000);
  };
}

/**
 * Per process (name and pid) over the samples: mean and max of the CPU figures it had, max RSS. A process
 * without any CPU figure (seen once, at the phase's end) is left out; so is a thread that used no CPU.
 */
export function summarizeProcesses(samples: MonitorSample[]): ProcessReport[] {
  const byKey = new Map<string, { report: ProcessReport; cpu: number[]; rss: number[] }>();
  for (const s of samples) {
    for (const p of s.processes ?? []) {
      const key = `${p.name}|${p.pid}`;
      let entry = byKey.get(key);
      if (!entry) {
        const report: ProcessReport = { name: p.name, group: p.group, pid: p.pid, cpuPctMean: 0, cpuPctMax: 0 };
        if (p.thread) report.thread = true;
        entry = { report, cpu: [], rss: [] };
        byKey.set(key, entry);
      }
      if (p.cpuPct !== undefined) entry.cpu.push(p.cpuPct);
      if (p.rssMb !== undefined) entry.rss.push(p.rssMb);
    }
  }
  const out: ProcessReport[] = [];
  for (const { report, cpu, rss } of byKey.values()) {
    if (cpu.length === 0) continue;
    report.cpuPctMean = mean(cpu)!;
    report.cpuPctMax = max(cpu)!;
    if (report.thread && report.cpuPctMax === 0) continue;
    if (rss.length) report.rssMbMax = max(rss)!;
    out.push(report);
  }
  return out;
}

function mean(values: number[], scale = 10): number | undefined {
  if (values.length === 0) return undefined;
  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * scale) / scale;
}

function max(values: number[]): number | undefined {
  return values.length ? Math.max(...values) : undefined;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
