// Latency histogram: an HdrHistogram in microseconds (3 significant digits) with exact count, sum and max, merged exactly.
import * as hdr from 'hdr-histogram-js';
import type { LatencySummaryMs } from '../report/model.ts';

export type { LatencySummaryMs };

const HIGHEST_US = 3_600_000_000; // one hour: anything slower is clamped, never dropped

export class LatencyHistogram {
  readonly hdr: hdr.Histogram;
  count = 0;
  sumUs = 0;
  maxUs = 0;

  constructor() {
    this.hdr = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: 3,
      bitBucketSize: 32,
      useWebAssembly: false,
    });
  }

  /** Records one latency given in microseconds (fractions are rounded, ≥ 1 µs). */
  recordUs(latencyUs: number): void {
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(latencyUs)));
    this.hdr.recordValue(us);
    this.count += 1;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  recordMs(latencyMs: number): void {
    this.recordUs(latencyMs * 1000);
  }

  /** Adds every recorded value of `other` into this histogram (bucket counts add exactly). */
  merge(other: LatencyHistogram): this {
    this.hdr.add(other.hdr);
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
    return this;
  }

  reset(): void {
    this.hdr.reset();
    this.count = 0;
    this.sumUs = 0;
    this.maxUs = 0;
  }

  /** The value at `percentile` (0–100) in milliseconds; 0 when empty. */
  percentileMs(percentile: number): number {
    if (this.count === 0) return 0;
    return this.hdr.getValueAtPercentile(percentile) / 1000;
  }

  summarizeMs(): LatencySummaryMs {
    const at = (p: number): number => round3(this.percentileMs(p));
    return {
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: round3(this.maxUs / 1000),
      mean: this.count === 0 ? 0 : round3(this.sumUs / this.count / 1000),
    };
  }

  /** Compressed base64 form, so histograms from other processes or machines merge exactly. */
  encode(): string {
    return JSON.stringify({ h: hdr.encodeIntoCompressedBase64(this.hdr), n: this.count, s: this.sumUs, m: this.maxUs });
  }

  static decode(encoded: string): LatencyHistogram {
    const parsed = JSON.parse(encoded) as { h: string; n: number; s: number; m: number };
    const result = new LatencyHistogram();
    result.hdr.add(hdr.decodeFromCompressedBase64(parsed.h, 32, false));
    result.count = parsed.n;
    result.sumUs = parsed.s;
    result.maxUs = parsed.m;
    return result;
  }
}

/** Merges any number of histograms into a new one; percentiles of the merge are exact, never averaged. */
export function mergeHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const merged = new LatencyHistogram();
  for (const h of histograms) merged.merge(h);
  return merged;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
