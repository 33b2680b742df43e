// compare.md and the console's verdict table, and the noise table (pure: data in, text out).
import type { CompareJson, MetricVerdict, NoiseJson, Verdict } from './compare-model.ts';

const MARK: Record<Verdict, string> = {
  better: '🟢 better',
  worse: '🔴 worse',
  same: '✅ same',
  unknown: '❔ unknown',
};

export function renderCompareMarkdown(c: CompareJson): string {
  const judged = c.verdicts.filter((v) => v.judged);
  const told = c.verdicts.filter((v) => !v.judged);
  const worse = judged.filter((v) => v.verdict === 'worse').map((v) => v.metric);
  const headline = c.passed
    ? `PASSED: no judged KPI is worse`
    : `FAILED: ${worse.length} judged KPI${worse.length === 1 ? ' is' : 's are'} worse (${worse.join(', ')})`;
  const machine = c.calibration.crossMachine
    ? c.calibration.normalized
      ? `**cross-machine**: B's figures normalized by the calibration ratio ${c.calibration.ratio} (B's reference throughput over A's); treat verdicts as indicative`
      : '**cross-machine** without calibration on both sides: figures are not normalized; treat verdicts as indicative'
    : `same machine${c.calibration.ratio !== null ? ` (calibration ratio ${c.calibration.ratio}, not applied)` : ''}`;
  const lines = [
    `# loadlab compare ${c.id}: ${headline}`,
    '',
    `A: ${c.a.id} (${c.a.source}, ${c.trials.a} trial${c.trials.a === 1 ? '' : 's'})  `,
    `B: ${c.b.id} (${c.b.source}, ${c.trials.b} trial${c.trials.b === 1 ? '' : 's'})  `,
    `Machine: ${machine}.  `,
    `Noise floor: ${c.noise.source}${c.noise.trials ? `, ${c.noise.trials} trials` : ''}.`,
    '',
    '## Judged KPIs (decide the exit code)',
    '',
    ...table(judged),
  ];
  if (told.length) lines.push('', '## Per endpoint and level-specific (told, not judged)', '', ...table(told));
  const unknown = judged.filter((v) => v.verdict === 'unknown');
  if (unknown.length)
    lines.push(
      '',
      `❔ ${unknown.length} judged KPI${unknown.length === 1 ? '' : 's'} could not be decided: ${unknown.map((v) => `${v.metric} (${v.reason.replace(/^collect more trials: /, '')})`).join('; ')}. Collect more trials (--trials), or accept a larger --tolerance.`,
    );
  if (c.warnings.length) lines.push('', ...c.warnings.map((w) => `⚠️ ${w}.`));
  lines.push('', `Method: ${c.method}`, '');
  return lines.join('\n');
}

function table(rows: MetricVerdict[]): string[] {
  return [
    '| KPI | A median [95% CI] | B median [95% CI] | change [95% CI] | tolerance | p | verdict |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((v) => {
      const pts = v.unit === '%';
      const change =
        v.changePct === null
          ? 'n/a'
          : `${signed(v.changePct)}${pts ? ' pts' : '%'}${v.changeCi ? ` [${signed(v.changeCi[0])}, ${signed(v.changeCi[1])}]` : ''}`;
      return `| ${v.metric} | ${side(v.a, v.unit)} | ${side(v.b, v.unit)} | ${change} | ±${v.tolerancePct}${pts ? ' pts' : '%'} | ${formatP(v.pValue)} | ${MARK[v.verdict]} |`;
    }),
  ];
}

function side(s: MetricVerdict['a'], unit: string): string {
  const ci = s.n > 1 ? ` [${num(s.ciLow)}, ${num(s.ciHigh)}]` : '';
  return `${num(s.median)} ${unit}${ci} (n=${s.n})`;
}

/** The noise floor per KPI: what `loadlab noise` prints and writes as noise.md. */
export function renderNoiseMarkdown(n: NoiseJson): string {
  return [
    `# loadlab noise of ${n.runId}: ${n.trials} trials`,
    '',
    "Run-to-run spread of each KPI on this machine, its tolerance (--tolerance, else what compare uses by default: one standard deviation, at least 2%), the smallest change 3, 5 and 10 trials a side would detect (80% power, at a judged KPI's share of the 5% false-alarm rate), and the trials a side that detect a change of that tolerance.",
    '',
    '| KPI | spread (1 sd) | tolerance | detectable, 3 trials | 5 trials | 10 trials | trials for the tolerance |',
    '|---|---|---|---|---|---|---|',
    ...n.metrics.map((m) => {
      const u = m.scale === 'log' ? '%' : ' pts';
      return `| ${m.metric} | ${m.spreadPct}${u} | ±${m.tolerancePct}${u} | ${m.detectable['3']}${u} | ${m.detectable['5']}${u} | ${m.detectable['10']}${u} | ${m.trialsForTolerance ?? '> 200'} |`;
    }),
    '',
  ].join('\n');
}

function signed(v: number): string {
  return `${v > 0 ? '+' : ''}${num(v)}`;
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  return abs >= 100 ? String(Math.round(v)) : abs >= 10 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toFixed(3);
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
