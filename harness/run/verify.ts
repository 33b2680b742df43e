// Verification before timing: every distinct endpoint of the scenario is called once and its status and body shape checked.
import { request } from 'undici';
import { TargetUnreachableError, VerificationError } from '../errors.ts';
import { classifyError } from '../engine/accounting.ts';
import type { SideRequests } from '../report/model.ts';
import { checkAnswer } from '../scenario/answer.ts';
import { prepareRequest, Session } from '../scenario/session.ts';
import type { Scenario } from '../scenario/types.ts';

export interface VerifiedEndpoint {
  name: string;
  status: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'timeout', 'ECONNRESET']);

/** An empty tally of side requests, for verifyScenario to count into. */
export function createSideRequests(): SideRequests {
  return { requests: 0, byStatus: {}, byError: {} };
}

/**
 * Walks each journey in order (so a login step's capture feeds later steps); throws on the first unreachable target
 * or after all checks. Every call it makes — also a repeated step called only to feed a capture — is counted into
 * `counts`, by status or by error, so run.json's totals can equal the server's own count.
 */
export async function verifyScenario(
  target: string,
  scenario: Scenario,
  timeoutMs = 5_000,
  counts: SideRequests = createSideRequests(),
): Promise<VerifiedEndpoint[]> {
  const verified: VerifiedEndpoint[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const journey of scenario.journeys) {
    const session = new Session({ ...scenario, journeys: [journey] }, 1);
    for (const step of journey.steps) {
      const prepared = session.next();
      // A step whose capture failed ended the journey (its problem is reported below): the rest cannot be verified.
      if (prepared.step !== step) break;
      const { status, bodyText } = await callOnce(target, prepared, timeoutMs, counts);
      session.onResponse(step, bodyText);
      if (seen.has(step.name)) continue;
      seen.add(step.name);
      const problem = checkAnswer(step, status, bodyText, prepared.path);
      if (problem) problems.push(`${step.name} (${prepared.method} ${prepared.path}): ${problem}`);
      verified.push({ name: step.name, status });
    }
  }
  if (problems.length) throw new VerificationError(`verification failed, not benchmarking: ${problems.join('; ')}`);
  return verified;
}

async function callOnce(
  target: string,
  prepared: ReturnType<typeof prepareRequest>,
  timeoutMs: number,
  counts: SideRequests,
): Promise<{ status: number; bodyText: string }> {
  const url = new URL(prepared.path, target).toString();
  counts.requests += 1;
  let status: number | undefined;
  try {
    const res = await request(url, {
      method: prepared.method as 'GET',
      headers: prepared.headers,
      body: prepared.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    counts.byStatus[String(status)] = (counts.byStatus[String(status)] ?? 0) + 1;
    return { status, bodyText: await res.body.text() };
  } catch (error) {
    const kind = classifyError(error);
    // A body that fails after its status line was counted by status already.
    if (status === undefined) {
      const byError = (counts.byError ??= {});
      byError[kind] = (byError[kind] ?? 0) + 1;
    }
    if (UNREACHABLE.has(kind))
      throw new TargetUnreachableError(`target unreachable: ${prepared.method} ${url} failed with ${kind}`, {
        cause: error,
      });
    throw new TargetUnreachableError(
      `target unreachable: ${prepared.method} ${url} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
