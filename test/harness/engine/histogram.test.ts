import { describe, expect, it } from 'vitest';
import { LatencyHistogram, mergeHistograms } from '../../../harness/engine/histogram.ts';

function filled(values: number[]): LatencyHistogram {
  const h = new LatencyHistogram();
  for (const v of values) h.recordUs(v);
  return h;
}

describe('LatencyHistogram', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => 100 + ((i * 7919) % 250_000));

  it('merging parts gives exactly the histogram of the whole', () => {
    const whole = filled(values);
    const parts = [filled(values.slice(0, 1234)), filled(values.slice(1234, 7000)), filled(values.slice(7000))];
    const merged = mergeHistograms(parts);
    expect(merged.count).toBe(whole.count);
    expect(merged.summarizeMs()).toEqual(whole.summarizeMs());
    for (const p of [1, 10, 50, 90, 95, 99, 99.9, 99.99]) expect(merged.percentileMs(p)).toBe(whole.percentileMs(p));
  });

  it('keeps percentiles within 0.1% (3 significant digits) and mean and max exact', () => {
    const h = filled(values);
    const sorted = [...values].sort((a, b) => a - b);
    const exactP99Us = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
    expect(Math.abs(h.percentileMs(99) * 1000 - exactP99Us) / exactP99Us).toBeLessThan(0.001);
    expect(h.summarizeMs().max).toBe(Math.max(...values) / 1000);
    expect(h.summarizeMs().mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length / 1000, 2);
  });

  it('survives encoding for merging across processes', () => {
    const h = filled(values);
    const decoded = LatencyHistogram.decode(h.encode());
    expect(decoded.summarizeMs()).toEqual(h.summarizeMs());
    expect(decoded.count).toBe(h.count);
  });

  it('summarizes an empty histogram as zeros', () => {
    expect(new LatencyHistogram().summarizeMs()).toEqual({ p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 });
  });
});
