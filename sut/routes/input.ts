// Request input: ids, paging, search text and JSON bodies, each checked into a typed value or a 4xx.
import type { Context } from 'hono';
import { z } from 'zod';
import type { Page } from '../data/store.ts';
import { SutError, ValidationError } from '../errors.ts';

export const MAX_LIMIT = 100;
const MAX_OFFSET = 10_000_000;

/** Text with no control characters: Postgres rejects NUL, and none belong in names or emails. */
export const cleanText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    // eslint-disable-next-line no-control-regex -- rejecting control characters is the point of this rule
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** A positive whole number below 2^53, written plainly (no sign, exponent or leading zeros). */
export function parseId(text: string | undefined, name = 'id'): number {
  if (text === undefined || !/^[1-9]\d{0,14}$/.test(text)) {
    throw new ValidationError(`${name} must be a positive whole number, got ${JSON.stringify(text ?? '')}`);
  }
  return Number(text);
}

function parseBoundedInt(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ValidationError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** `limit` (1–100, default 20) with either `offset` or `cursor` (the last id of the previous page). */
export function parsePage(c: Context): Page {
  const limit = parseBoundedInt(c.req.query('limit'), 'limit', 1, MAX_LIMIT, 20);
  const offsetText = c.req.query('offset');
  const cursorText = c.req.query('cursor');
  if (offsetText !== undefined && cursorText !== undefined) {
    throw new ValidationError('use either offset or cursor, not both');
  }
  if (cursorText !== undefined) return { limit, afterId: parseId(cursorText, 'cursor') };
  return { limit, offset: parseBoundedInt(offsetText, 'offset', 0, MAX_OFFSET, 0) };
}

export function nextCursor(items: readonly { id: number }[], limit: number): string | null {
  return items.length === limit && items.length > 0 ? String(items[items.length - 1]!.id) : null;
}

export function parseLimit(c: Context, fallback = 20): number {
  return parseBoundedInt(c.req.query('limit'), 'limit', 1, MAX_LIMIT, fallback);
}

/** Reads a JSON body: 415 unless it is application/json, 400 for broken JSON or a failed schema. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new SutError(
      'SUT_UNSUPPORTED_MEDIA_TYPE',
      `send the body as application/json (got ${type ? JSON.stringify(type) : 'no content type'})`,
    );
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SutError('SUT_BAD_JSON', `the body is not valid JSON: ${(cause as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new ValidationError(`invalid body: ${summary}`, issues);
  }
  return result.data;
}
