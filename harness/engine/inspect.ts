// What an engine looks at in a response besides its status and timing: a sampled answer check (the same judge as
// verification) and a tally of one response header's values (Level 4's x-node-id).
import { createRandom } from '../../lib/random.ts';
import type { AnswerChecks, HeaderTally } from '../report/model.ts';
import { checkAnswer } from '../scenario/answer.ts';
import type { Step } from '../scenario/types.ts';

/** Picks a seeded fraction of requests for checking and keeps the tally of what the checks found. */
export class AnswerSampler {
  private readonly random: () => number;
  private checked = 0;
  private wrong = 0;
  private firstProblem: string | undefined;

  constructor(
    readonly fraction: number,
    seed: number,
  ) {
    this.random = createRandom(seed ^ 0x5a17);
  }

  /** Whether the next request is one to check. */
  take(): boolean {
    return this.fraction >= 1 || this.random() < this.fraction;
  }

  /** Checks one sampled answer; returns the problem when it is wrong. */
  check(step: Step, status: number, bodyText: string, path: string): string | undefined {
    this.checked += 1;
    const problem = checkAnswer(step, status, bodyText, path);
    if (problem !== undefined) {
      this.wrong += 1;
      this.firstProblem ??= `${step.method} ${path}: ${problem}`;
    }
    return problem;
  }

  report(): AnswerChecks {
    return {
      sampleFraction: this.fraction,
      checked: this.checked,
      wrong: this.wrong,
      ...(this.firstProblem !== undefined ? { firstProblem: this.firstProblem } : {}),
    };
  }
}

/** Merges answer-check tallies of several threads (the first problem of the first thread that saw one). */
export function mergeAnswerChecks(parts: AnswerChecks[]): AnswerChecks | undefined {
  if (parts.length === 0) return undefined;
  const firstProblem = parts.find((p) => p.firstProblem !== undefined)?.firstProblem;
  return {
    sampleFraction: parts[0]!.sampleFraction,
    checked: parts.reduce((n, p) => n + p.checked, 0),
    wrong: parts.reduce((n, p) => n + p.wrong, 0),
    ...(firstProblem !== undefined ? { firstProblem } : {}),
  };
}

/** Counts the values of one header from raw header lists (name, value, name, value, …). */
export class HeaderCounter {
  private readonly name: string;
  private readonly counts = new Map<string, number>();
  private missing = 0;

  constructor(header: string) {
    this.name = header.toLowerCase();
  }

  /** From the open engine's raw headers or autocannon's flat list (name, value, …). */
  count(rawHeaders: ReadonlyArray<Buffer | string>): void {
    const length = this.name.length;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key = rawHeaders[i]!;
      if (key.length !== length || key.toString().toLowerCase() !== this.name) continue;
      const value = rawHeaders[i + 1]!.toString();
      this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
      return;
    }
    this.missing += 1;
  }

  report(): HeaderTally {
    return { header: this.name, counts: Object.fromEntries(this.counts), missing: this.missing };
  }
}

/** Merges header tallies of several threads exactly. */
export function mergeTallies(parts: HeaderTally[]): HeaderTally | undefined {
  if (parts.length === 0) return undefined;
  const counts: Record<string, number> = {};
  for (const part of parts) for (const [k, v] of Object.entries(part.counts)) counts[k] = (counts[k] ?? 0) + v;
  return { header: parts[0]!.header, counts, missing: parts.reduce((n, p) => n + p.missing, 0) };
}
