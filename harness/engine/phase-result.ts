// Summarizes one finished phase (recorder + engine figures + generator samples) into its run.json shape (pure).
import type { OpenFigures, Phase } from './engine.ts';
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
          resetRetries: open.resetRetries,
          lateThresholdMs: open.lateThresholdMs,
          sendLagMs: open.sendLag.summarizeMs(),
        }
      : {}),
    ...(inputs.firstResponse ? { firstResponseMs: inputs.firstResponse.summarizeMs() } : {}),
    generatorSaturated: inputs.generator.saturationReason !== undefined,
    generator: inputs.generator,
    ...(inputs.sut ? { sut: inputs.sut } : {}),
    latencyMs: recorder.histogram.summarizeMs(),
    endpoints,
  };
  const endpointHistograms = new Map([...recorder.endpoints].map(([name, record]) => [name, record.histogram]));
  return { report, histogram: recorder.histogram, endpointHistograms };
}
