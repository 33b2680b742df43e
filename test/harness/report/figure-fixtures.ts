// Figures shared by the words and report tests: a lossy Level 2 run and a Level 3 run with a background client.
import type { QueueFigures, ReloadDoneFigures } from '../../../harness/report/figures.ts';

export const RELOAD: ReloadDoneFigures = {
  kind: 'reload',
  method: 'reload',
  requested: 2,
  done: 2,
  finishedAtMs: [3100, 7420],
  startedAtMs: [1000, 5200],
  p99DuringReloadsMs: 612.5,
  p99OutsideReloadsMs: 21.3,
  reloadWindowSec: 8,
  p99DuringTargetMs: 500,
  duringVerdict: { name: 'level2 p99 during reloads', passed: false, value: 612.5, target: 500 },
  inPhase: 2,
  openDurationSec: 10,
  targetRps: 500,
  sent: 1000,
  failed: 7,
  inFlight: 3,
  lost: 10,
  unavailable: 5,
  availabilityPct: 99.2,
  resetRetries: 4,
  errorsByKind: { '404': 2, '503': 3, ECONNRESET: 2 },
  verdict: { name: 'level2 reload', passed: false, value: 10, target: 0 },
};

export const QUEUE: QueueFigures = {
  kind: 'queue',
  enqueueRps: 1234.5,
  enqueueTargetRps: 1000,
  accepted: 1000,
  enqueueDurationSec: 4,
  failedEnqueues: 10,
  enqueueErrors: { '202': 1000, '503': 10 },
  processingRatePerSec: 250,
  drainedAfterSec: 3.46,
  maxDepth: 508,
  openSamples: 4,
  busySamples: 1,
  background: { jobs: 812, achievedRps: 203.4 },
};
