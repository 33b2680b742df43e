// Request input: ids, paging, search text and JSON bodies, each checked into a typed value or a 4xx.
import type { Context } from 'hono';
import { z } from 'zod';
import type { Page } from '../data/store.ts';
import { SutError, ValidationError } from '../errors.ts';

export const MAX_LIMIT = 100;
const MAX_OFFSET = 10_000_000;

/** At most this many characters of a value the client sent are quoted back in an error message. */
export const ECHO_MAX_CHARS = 64;

/** A client's value for an error message: JSON-quoted, cut to ECHO_MAX_CHARS characters (then "…"). */
export function quote(value: string): string {
  return JSON.stringify(clip(value, ECHO_MAX_CHARS));
}

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point of this rule
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
/** With the u flag a lone surrogate is a code point of its own; a pair is one astral code point. */
const NO_LONE_SURROGATE = /^[^\p{Surrogate}]*$/u;

/**
 * Any text a client sends (body fields and query values): no control characters (U+0000–U+001F,
 * U+007F; PostgreSQL rejects NUL, and none belong in a name, an email or a password) and no lone
 * surrogate, checked before any trimming, so a trailing newline is refused, not trimmed away.
 */
export const plainText = () =>
  z
    .string()
    .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')
    .regex(NO_LONE_SURROGATE, 'must be well-formed Unicode text');

/** Plain text, trimmed, of min–max characters (names). */
export const cleanText = (min: number, max: number) => plainText().trim().min(min).max(max);

/** A positive whole number below 2^53, written plainly (no sign, exponent or leading zeros). */
export function parseId(text: string | undefined, name = 'id'): number {
  if (text === undefined || !/^[1-9]\d{0,14}$/.test(text)) {
    throw new ValidationError(`${name} must be a positive whole number, got ${quote(text ?? '')}`);
  }
  return Number(text);
}

function parseBoundedInt(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ValidationError(`${name} must be a whole number from ${min} to ${max}, got ${quote(text)}`);
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
      `send the body as application/json (got ${type ? quote(type) : 'no content type'})`,
    );
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // V8's message quotes a few characters of the body; cut it anyway, whatever a runtime puts there.
    throw new SutError('SUT_BAD_JSON', `the body is not valid JSON: ${clip((cause as Error).message, 120)}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: pathOf(i.path), message: messageOf(i) }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new ValidationError(`invalid body: ${summary}`, issues);
  }
  return result.data;
}

const MAX_KEYS_NAMED = 5;

/** Zod's message, except where it would quote the client's own text (unknown keys): those are cut. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const named = issue.keys.slice(0, MAX_KEYS_NAMED).map(quote).join(', ');
  const more = issue.keys.length > MAX_KEYS_NAMED ? ` and ${issue.keys.length - MAX_KEYS_NAMED} more` : '';
  return `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${named}${more}`;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? String(key) : clip(String(key), ECHO_MAX_CHARS))).join('.');
}

/** The first `max` characters of `text` and "…", or all of it; by code point, so no emoji is cut in half. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
