// `loadlab selftest` in words: a case's verdict line, the retry note and the closing line (pure).

export type SelftestVerdict = 'passed' | 'failed' | 'flagged';

/** What a flagged case is: not a pass, not a failure of the engine — the machine could not keep time. */
export const FLAGGED_MEANING = 'could not be measured on time on this machine';

/** The word in the table's verdict column. */
export function verdictCell(verdict: SelftestVerdict, withinTolerance: boolean): string {
  if (verdict === 'flagged') return 'flagged';
  return withinTolerance ? 'ok' : 'FAIL';
}

/** One line per case: its verdict, on which attempt, and why. */
export function verdictLine(name: string, verdict: SelftestVerdict, reason: string, attempts: number): string {
  const tries = attempts > 1 ? ` (attempt ${attempts})` : '';
  if (verdict === 'passed') return `${name}: passed${tries}`;
  if (verdict === 'flagged') return `${name}: FLAGGED${tries}, ${FLAGGED_MEANING}: ${reason}`;
  return `${name}: FAILED${tries}: ${reason}`;
}

/** The progress line when an attempt is run again. */
export function retryLine(name: string, attempt: number, verdict: SelftestVerdict, reason: string): string {
  return `selftest: ${name}: attempt ${attempt} ${verdict === 'flagged' ? 'was flagged' : 'failed while the machine disturbed the generator'} (${reason}); retrying`;
}

/** The closing line: PASSED only when every case passed; a flagged case is not a pass. */
export function closingLine(counts: Record<SelftestVerdict, number>): string {
  if (counts.failed === 0 && counts.flagged === 0)
    return `selftest PASSED (${counts.passed} case${counts.passed === 1 ? '' : 's'})`;
  const parts = [
    `${counts.passed} passed`,
    ...(counts.failed > 0 ? [`${counts.failed} failed`] : []),
    ...(counts.flagged > 0 ? [`${counts.flagged} flagged (${FLAGGED_MEANING}; not a pass)`] : []),
  ];
  return `selftest FAILED: ${parts.join(', ')}`;
}
