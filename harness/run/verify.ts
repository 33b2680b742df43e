// Verification before timing: every distinct endpoint of the scenario is called once and its status and body shape checked.
import { request } from 'undici';
import { TargetUnreachableError, VerificationError } from '../errors.ts';
import { classifyError, isSuccessStatus } from '../engine/accounting.ts';
import { readPath } from '../scenario/template.ts';
import { prepareRequest, Session } from '../scenario/session.ts';
import type { Scenario, Step } from '../scenario/types.ts';

export interface VerifiedEndpoint {
  name: string;
  status: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'timeout', 'ECONNRESET']);

/** Walks each journey in order (so a login step's capture feeds later steps); throws on the first unreachable target or after all checks. */
export async function verifyScenario(
  target: string,
  scenario: Scenario,
  timeoutMs = 5_000,
): Promise<VerifiedEndpoint[]> {
  const verified: VerifiedEndpoint[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const journey of scenario.journeys) {
    const session = new Session({ ...scenario, journeys: [journey] }, 1);
    for (const step of journey.steps) {
      const prepared = session.next();
      const { status, bodyText } = await callOnce(target, prepared, timeoutMs);
      session.onResponse(step, bodyText);
      if (seen.has(step.name)) continue;
      seen.add(step.name);
      const problem = checkAnswer(step, status, bodyText);
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
): Promise<{ status: number; bodyText: string }> {
  const url = new URL(prepared.path, target).toString();
  try {
    const res = await request(url, {
      method: prepared.method as 'GET',
      headers: prepared.headers,
      body: prepared.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    return { status: res.statusCode, bodyText: await res.body.text() };
  } catch (error) {
    const kind = classifyError(error);
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

/** Returns what is wrong with an answer, or undefined when it is right (pure). */
export function checkAnswer(step: Step, status: number, bodyText: string): string | undefined {
  if (!isSuccessStatus(status, step.expectStatus)) {
    const expected =
      step.expectStatus === undefined ? 'a status below 400' : `status ${[step.expectStatus].flat().join(' or ')}`;
    return `expected ${expected}, got ${status}${bodyText ? ` with body ${bodyText.slice(0, 120)}` : ''}`;
  }
  if (!step.expectKeys?.length && !step.capture) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return `expected a JSON body, got ${JSON.stringify(bodyText.slice(0, 80))}`;
  }
  const missing = [...(step.expectKeys ?? []), ...Object.values(step.capture ?? {})].filter(
    (key) => readPath(json, key) === undefined,
  );
  return missing.length ? `JSON body lacks ${missing.map((k) => `"${k}"`).join(', ')}` : undefined;
}
