// The sink both engines feed: per-phase accounting, overall and per-endpoint histograms, and a per-second window.
import { LatencyHistogram } from './histogram.ts';
import type { WindowSnapshot } from '../report/model.ts';

export type { WindowSnapshot };
import { countError, countResponse, countSent, createCounts, type RequestCounts } from './accounting.ts';

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

  /** Returns the current window and starts a new one. */
  takeWindow(): WindowSnapshot {
    const snapshot: WindowSnapshot = {
      responses: this.windowResponses,
      errors: this.windowErrors,
      p50Ms: this.window.percentileMs(50),
      p99Ms: this.window.percentileMs(99),
    };
    this.window.reset();
    this.windowErrors = 0;
    this.windowResponses = 0;
    return snapshot;
  }
}
