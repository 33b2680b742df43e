// Is an answer right? One judge for verification before timing and for the engine's sampled answer checks (pure).
// Status first, then what the step reads from the body (expectKeys, capture), then, for a read of one record by its
// numeric id (GET /api/users/42), that the record carries the id asked for.
import { readPath } from './template.ts';
import type { Step } from './types.ts';

/** A response counts as completed when its status is the expected one, or any status below 400 when none is given. */
export function isSuccessStatus(status: number, expectedStatus?: number | readonly number[]): boolean {
  if (expectedStatus === undefined) return status >= 100 && status < 400;
  return Array.isArray(expectedStatus) ? expectedStatus.includes(status) : status === expectedStatus;
}

/** The numeric id at the end of a read's path (query ignored): GET /api/users/42?x=1 → "42"; otherwise undefined. */
export function requestedId(method: string, path: string): string | undefined {
  if (method !== 'GET') return undefined;
  const pathOnly = path.split(/[?#]/, 1)[0]!;
  return /\/(\d+)\/?$/.exec(pathOnly)?.[1];
}

/**
 * Returns what is wrong with an answer, or undefined when it is right. `path` is the request path as sent (the
 * step's template expanded); without it the id check is skipped. Cheap on a right answer without body
 * expectations: the body is parsed only when a key, a capture or an id is to be read from it.
 */
export function checkAnswer(step: Step, status: number, bodyText: string, path?: string): string | undefined {
  if (!isSuccessStatus(status, step.expectStatus)) {
    const expected =
      step.expectStatus === undefined ? 'a status below 400' : `status ${[step.expectStatus].flat().join(' or ')}`;
    return `expected ${expected}, got ${status}${bodyText ? ` with body ${bodyText.slice(0, 120)}` : ''}`;
  }
  const id = path === undefined ? undefined : requestedId(step.method, path);
  const readsBody = Boolean(step.expectKeys?.length || step.capture);
  if (!readsBody && id === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    // A body nothing is read from need not be JSON (an id check applies to JSON records only).
    return readsBody ? `expected a JSON body, got ${JSON.stringify(bodyText.slice(0, 80))}` : undefined;
  }
  const missing = [...(step.expectKeys ?? []), ...Object.values(step.capture ?? {})].filter(
    (key) => readPath(json, key) === undefined,
  );
  if (missing.length) return `JSON body lacks ${missing.map((k) => `"${k}"`).join(', ')}`;
  return id === undefined ? undefined : checkId(json, id);
}

/** A JSON object with a top-level id must carry the id asked for (42 or "42"); a body without one is not judged here. */
function checkId(json: unknown, id: string): string | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !('id' in json)) return undefined;
  const got = json.id;
  const same = String(got) === id || (typeof got === 'number' && got === Number(id));
  return same ? undefined : `asked for id ${id}, got id ${JSON.stringify(got)}`;
}
