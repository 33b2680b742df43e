// Summarizes one finished phase (recorder + engine figures + generator samples) into its run.json shape (pure).
import type { EngineRun, OpenFigures, Phase } from './engine.ts';
import { saturationReasons } from './saturation.ts';
import type { EndpointReport, GeneratorReport, PhaseReport } from '../report/model.ts';
import { round3, type LatencyHistogram } from './histogram.ts';
import type { Recorder } from './recorder.ts';

/** Everything a phase produced: the report plus the raw histograms, kept so phases and endpoints merge exactly. */
export interface PhaseResult {
  report: PhaseReport;
  histogram: LatencyHistogram;
  endpointHistograms: Map<string, LatencyHistogram>;
}

export interface PhaseInputs {
  phase: Phase;
  recorder: Recorder;
  elapsedSec: number;
  open?: OpenFigures;
  /** Closed model: latency of each connection's first response, reported apart from the histogram. */
  firstResponse?: LatencyHistogram;
  /** The engine's own figures: threads, spin-wait, per-thread CPU and loop delay, answer checks, header tally. */
  engine?: Omit<EngineRun, 'elapsedSec' | 'open' | 'firstResponse'>;
  /** The monitor's figures for this process; saturation is judged here with the engine's. */
  generator: GeneratorReport;
  sut?: { cpuPctMax: number; rssMbMax: number };
}

/**
 * Throughput divides completed requests by the phase's planned duration for the open model (its schedule)
 * and by the measured elapsed time for the closed model (autocannon stops on a sample tick).
 */
export function summarizePhase(inputs: PhaseInputs): PhaseResult {
  const { phase, recorder, open } = inputs;
  const basisSec = phase.model === 'open' ? phase.durationSec : inputs.elapsedSec;
  const endpoints: EndpointReport[] = [...recorder.endpoints.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, record]) => ({
      name,
      requests: record.counts.completed + record.counts.failed,
      failed: record.counts.failed,
      throughputRps: round3(record.counts.completed / basisSec),
      latencyMs: record.histogram.summarizeMs(),
    }));
  const c = recorder.counts;
  const latencyMs = recorder.histogram.summarizeMs();
  const generator = judgeGenerator(inputs, latencyMs.p99);
  const report: PhaseReport = {
    name: phase.name,
    model: phase.model,
    ...(phase.targetRps !== undefined ? { targetRps: phase.targetRps } : {}),
    ...(phase.fromRps !== undefined ? { fromRps: phase.fromRps } : {}),
    ...(phase.connections !== undefined ? { connections: phase.connections } : {}),
    durationSec: phase.durationSec,
    elapsedSec: round3(inputs.elapsedSec),
    judged: phase.judged,
    requests: {
      sent: c.sent,
      completed: c.completed,
      failed: c.failed,
      inFlight: c.sent - c.completed - c.failed,
      byStatus: { ...c.byStatus },
      byError: { ...c.byError },
    },
    throughputRps: round3(c.completed / basisSec),
    ...(open
      ? {
          achievedRps: round3(open.achievedRps),
          lateSends: open.lateSends,
          ...(open.unsent > 0 ? { unsent: open.unsent } : {}),
          resetRetries: open.resetRetries,
          lateThresholdMs: open.lateThresholdMs,
          sendLagMs: open.sendLag.summarizeMs(),
          serviceTimeMs: open.serviceTime.summarizeMs(),
          arrivals: open.arrivals,
        }
      : {}),
    ...(inputs.engine?.answerChecks ? { answerChecks: inputs.engine.answerChecks } : {}),
    ...(inputs.engine?.tally ? { tally: inputs.engine.tally } : {}),
    ...(inputs.firstResponse ? { firstResponseMs: inputs.firstResponse.summarizeMs() } : {}),
    generatorSaturated: generator.saturationReason !== undefined,
    ...(generator.saturationReason ? { saturationReason: generator.saturationReason } : {}),
    generator,
    ...(inputs.sut ? { sut: inputs.sut } : {}),
    latencyMs,
    endpoints,
  };
  const endpointHistograms = new Map([...recorder.endpoints].map(([name, record]) => [name, record.histogram]));
  return { report, histogram: recorder.histogram, endpointHistograms };
}

/**
 * The generator's figures with the saturation verdict (engine/saturation.ts). With worker threads the busiest
 * thread is judged; on the calling thread, the process's CPU less the time spent spinning to due sends.
 */
function judgeGenerator(inputs: PhaseInputs, latencyP99Ms: number): GeneratorReport {
  const { open, engine, recorder } = inputs;
  const threads = engine?.threads ?? 1;
  const figures = engine?.threadFigures;
  const spinPct = engine?.spinWaitSec && inputs.elapsedSec > 0 ? (engine.spinWaitSec / inputs.elapsedSec) * 100 : 0;
  const busyCpuPct = figures?.length
    ? Math.max(...figures.map((f) => f.busyCpuPct))
    : Math.max(0, inputs.generator.cpuPctMean - spinPct);
  const eventLoopP99Ms = Math.max(inputs.generator.eventLoopP99Ms, ...(figures ?? []).map((f) => f.eventLoopP99Ms));
  const reasons = saturationReasons({
    sent: recorder.counts.sent,
    latencyP99Ms,
    busyCpuPct,
    eventLoopP99Ms,
    ...(open
      ? {
          lateSends: open.lateSends,
          lateThresholdMs: open.lateThresholdMs,
          sendLagP99Ms: open.sendLag.percentileMs(99),
        }
      : {}),
  });
  const { saturationReason: _ignored, ...rest } = inputs.generator;
  return { ...rest, threads, ...(reasons.length ? { saturationReason: reasons.join('; ') } : {}) };
}
