// Samples once a second: the generator's own CPU and event-loop delay, the SUT's process tree, its /ready and /metrics.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { sampleTree, type ProcSample } from './proc.ts';
import type { GeneratorReport, MonitorSample } from '../report/model.ts';

export type { MonitorSample };

// Node's histogram records the whole timer interval, so the resolution is subtracted to get the delay.
const LOOP_RESOLUTION_MS = 10;

function loopDelayP99Ms(h: IntervalHistogram): number {
  return round1(Math.max(0, h.percentile(99) / 1e6 - LOOP_RESOLUTION_MS));
}

export interface MonitorOptions {
  sutPids?: number[];
  metricsUrl?: string;
  readyUrl?: string;
}

export class Monitor {
  private readonly loop: IntervalHistogram;
  private readonly phaseLoop: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private lastSut: ProcSample | undefined;
  private phaseSamples: MonitorSample[] = [];

  constructor(private readonly opts: MonitorOptions = {}) {
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.phaseLoop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loop.enable();
    this.phaseLoop.enable();
    this.lastSut = this.sutSample();
  }

  beginPhase(): void {
    this.phaseSamples = [];
    this.phaseLoop.reset();
  }

  /** Figures since the previous sample; call about once a second. */
  async sample(): Promise<MonitorSample> {
    const now = performance.now();
    const wallUs = Math.max(1, (now - this.lastAt) * 1000);
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const sample: MonitorSample = {
      generatorCpuPct: round1(((cpu.user + cpu.system) / wallUs) * 100),
      eventLoopP99Ms: loopDelayP99Ms(this.loop),
    };
    this.loop.reset();
    Object.assign(sample, this.sutFigures(wallUs / 1e6), await this.probeUrls());
    this.phaseSamples.push(sample);
    return sample;
  }

  /** The generator's figures over the phase (engine/saturation.ts judges them with the engine's own). */
  endPhase(): { generator: GeneratorReport; sut?: { cpuPctMax: number; rssMbMax: number } } {
    const cpu = this.phaseSamples.map((s) => s.generatorCpuPct);
    const cpuPctMean = cpu.length ? round1(cpu.reduce((a, b) => a + b, 0) / cpu.length) : 0;
    const eventLoopP99Ms = loopDelayP99Ms(this.phaseLoop);
    const generator: GeneratorReport = { cpuPctMean, cpuPctMax: cpu.length ? Math.max(...cpu) : 0, eventLoopP99Ms };
    const sutSamples = this.phaseSamples.filter((s) => s.sutCpuPct !== undefined);
    const sut = sutSamples.length
      ? {
          cpuPctMax: Math.max(...sutSamples.map((s) => s.sutCpuPct!)),
          rssMbMax: Math.max(...sutSamples.map((s) => s.sutRssMb!)),
        }
      : undefined;
    return { generator, ...(sut ? { sut } : {}) };
  }

  stop(): void {
    this.loop.disable();
    this.phaseLoop.disable();
  }

  private sutSample(): ProcSample | undefined {
    return this.opts.sutPids?.length ? sampleTree(this.opts.sutPids) : undefined;
  }

  private sutFigures(wallSec: number): Partial<MonitorSample> {
    const current = this.sutSample();
    const previous = this.lastSut;
    this.lastSut = current;
    if (!current || !previous) return {};
    return {
      sutCpuPct: round1(((current.cpuSec - previous.cpuSec) / wallSec) * 100),
      sutRssMb: round1(current.rssBytes / 1048576),
    };
  }

  private async probeUrls(): Promise<Partial<MonitorSample>> {
    const result: Partial<MonitorSample> = {};
    if (this.opts.readyUrl) result.readyStatus = await probe(this.opts.readyUrl).then((r) => r?.status ?? 'down');
    if (this.opts.metricsUrl) result.metricsOk = await probe(this.opts.metricsUrl).then((r) => r?.ok ?? false);
    return result;
  }
}

async function probe(url: string): Promise<Response | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(800) });
    await res.arrayBuffer();
    return res;
  } catch {
    return undefined;
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
