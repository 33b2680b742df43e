// The sink both engines feed: per-phase accounting, overall and per-endpoint histograms, and a per-second window.
import { LatencyHistogram } from './histogram.ts';
import type { WindowSnapshot } from '../report/model.ts';

export type { WindowSnapshot };
import { countError, countResponse, countSent, createCounts, mergeCounts, type RequestCounts } from './accounting.ts';

/** A recorder's counts and histograms in a form that crosses threads (structured clone) and merges exactly. */
export interface RecorderSnapshot {
  counts: RequestCounts;
  histogram: string;
  endpoints: { name: string; counts: RequestCounts; histogram: string }[];
}

/** One window of another thread's recorder: its histogram encoded, so windows merge exactly too. */
export interface EncodedWindow {
  responses: number;
  errors: number;
  histogram: string;
}

export interface EndpointRecord {
  counts: RequestCounts;
  histogram: LatencyHistogram;
}

export class Recorder {
  readonly counts = createCounts();
  readonly histogram = new LatencyHistogram();
  readonly endpoints = new Map<string, EndpointRecord>();
  private readonly window = new LatencyHistogram();
  private windowErrors = 0;
  private windowResponses = 0;
  /** Failures other threads have reported in windows but not yet in their final snapshot. */
  private streamedFailures = 0;

  endpoint(name: string): EndpointRecord {
    let record = this.endpoints.get(name);
    if (!record) {
      record = { counts: createCounts(), histogram: new LatencyHistogram() };
      this.endpoints.set(name, record);
    }
    return record;
  }

  recordSent(endpointName: string): void {
    countSent(this.counts);
    countSent(this.endpoint(endpointName).counts);
  }

  /**
   * Latency is recorded for every response, successful or not (a wrong status is also a failure);
   * `latencyUs` undefined counts the response without a latency (see engine/closed.ts).
   */
  recordResponse(endpointName: string, status: number, success: boolean, latencyUs: number | undefined): void {
    const endpoint = this.endpoint(endpointName);
    countResponse(this.counts, status, success);
    countResponse(endpoint.counts, status, success);
    this.windowResponses += 1;
    if (!success) this.windowErrors += 1;
    if (latencyUs === undefined) return;
    this.histogram.recordUs(latencyUs);
    endpoint.histogram.recordUs(latencyUs);
    this.window.recordUs(latencyUs);
  }

  recordError(endpointName: string, errorKind: string): void {
    countError(this.counts, errorKind);
    countError(this.endpoint(endpointName).counts, errorKind);
    this.windowErrors += 1;
  }

  /** Failures so far, including those other threads have streamed in windows (for the live progress line). */
  get failedSoFar(): number {
    return this.counts.failed + this.streamedFailures;
  }

  snapshot(): RecorderSnapshot {
    return {
      counts: structuredClone(this.counts),
      histogram: this.histogram.encode(),
      endpoints: [...this.endpoints].map(([name, e]) => ({
        name,
        counts: structuredClone(e.counts),
        histogram: e.histogram.encode(),
      })),
    };
  }

  /** Adds another recorder's final counts and histograms (exact: counts add, histogram buckets add). */
  absorb(snapshot: RecorderSnapshot): void {
    mergeCounts(this.counts, snapshot.counts);
    this.histogram.merge(LatencyHistogram.decode(snapshot.histogram));
    for (const e of snapshot.endpoints) {
      const endpoint = this.endpoint(e.name);
      mergeCounts(endpoint.counts, e.counts);
      endpoint.histogram.merge(LatencyHistogram.decode(e.histogram));
    }
  }

  /** Once every other thread's final snapshot is absorbed, their streamed failures are in `counts`. */
  settleStreamed(): void {
    this.streamedFailures = 0;
  }

  /** Takes the current window in a form another thread can absorb. */
  takeEncodedWindow(): EncodedWindow {
    const window = { responses: this.windowResponses, errors: this.windowErrors, histogram: this.window.encode() };
    this.window.reset();
    this.windowErrors = 0;
    this.windowResponses = 0;
    return window;
  }

  absorbWindow(window: EncodedWindow): void {
    this.windowResponses += window.responses;
    this.windowErrors += window.errors;
    this.streamedFailures += window.errors;
    this.window.merge(LatencyHistogram.decode(window.histogram));
  }

  /** Returns the current window and starts a new one. */
  takeWindow(): WindowSnapshot {
    const snapshot: WindowSnapshot = {
      responses: this.windowResponses,
      errors: this.windowErrors,
      p50Ms: this.window.percentileMs(50),
      p99Ms: this.window.percentileMs(99),
      histogram: this.window.encode(),
    };
    this.window.reset();
    this.windowErrors = 0;
    this.windowResponses = 0;
    return snapshot;
  }
}
