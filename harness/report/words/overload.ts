// A phase's overload behaviour in words (pure): what the summary and the stress probes say the target did.
import type { OverloadBehaviour } from '../model.ts';

const WORDS: Record<OverloadBehaviour, string> = {
  shed: 'shed (503 answers: the excess refused at once)',
  limited: 'limited (429 answers: clients over their rate refused)',
  queued: 'queued (latency grew, no errors)',
  failed: 'failed (timeouts, resets, refusals or 5xx other than 503)',
  none: 'none (under 1% refused or failed, latency flat)',
};

/** e.g. "overload: shed (503 answers: the excess refused at once)". */
export function describeOverload(behaviour: OverloadBehaviour): string {
  return `overload: ${WORDS[behaviour]}`;
}
