// When is a phase a measurement of the generator rather than of the target? The rule, written down (pure).
//
// A phase is flagged `generatorSaturated` when any of these holds:
//   send lag (open model) — more than 1% of sends left later than the late threshold, or the send lag's
//     p99 exceeds max(1 ms, 10% of the reported latency p99): the generator's own delay is then a visible
//     part of every percentile it reports (latency counts from the intended send time);
//   CPU — a generator thread was busy ≥ 90% of one core on average (time spent spinning to a due send,
//     which the open engine does on purpose to send on time, is not counted as busy);
//   event loop — the event-loop delay p99 of a generator thread exceeded 50 ms.

export const SATURATION = {
  lateShare: 0.01,
  sendLagP99FloorMs: 1,
  sendLagP99ShareOfLatencyP99: 0.1,
  cpuPct: 90,
  eventLoopP99Ms: 50,
} as const;

export const SATURATION_RULE =
  'flagged when over 1% of sends are late, or send-lag p99 > max(1 ms, 10% of latency p99), ' +
  'or a generator thread is busy ≥ 90% of one core, or its event-loop delay p99 > 50 ms';

export interface SaturationInputs {
  sent: number;
  /** Open model only. */
  lateSends?: number;
  lateThresholdMs?: number;
  sendLagP99Ms?: number;
  latencyP99Ms: number;
  /** Mean busy CPU of the busiest generator thread, % of one core (spin-waiting excluded). */
  busyCpuPct: number;
  eventLoopP99Ms: number;
}

/** Every reason the phase's figures may be the generator's, not the target's; empty when none. */
export function saturationReasons(i: SaturationInputs): string[] {
  const reasons: string[] = [];
  if (i.lateSends !== undefined && i.sent > 0 && i.lateSends > SATURATION.lateShare * i.sent) {
    const pct = round1((i.lateSends / i.sent) * 100);
    reasons.push(
      `${i.lateSends} of ${i.sent} sends (${pct}%) left over ${i.lateThresholdMs ?? '?'} ms late (> ${SATURATION.lateShare * 100}%)`,
    );
  }
  if (i.sendLagP99Ms !== undefined) {
    const limitMs = Math.max(SATURATION.sendLagP99FloorMs, SATURATION.sendLagP99ShareOfLatencyP99 * i.latencyP99Ms);
    if (i.sendLagP99Ms > limitMs)
      reasons.push(`send-lag p99 ${round3(i.sendLagP99Ms)} ms > ${round3(limitMs)} ms (max of 1 ms and 10% of p99)`);
  }
  if (i.busyCpuPct >= SATURATION.cpuPct)
    reasons.push(`generator thread busy ${round1(i.busyCpuPct)}% ≥ ${SATURATION.cpuPct}% of one core`);
  if (i.eventLoopP99Ms > SATURATION.eventLoopP99Ms)
    reasons.push(`event-loop delay p99 ${round1(i.eventLoopP99Ms)} ms > ${SATURATION.eventLoopP99Ms} ms`);
  return reasons;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
