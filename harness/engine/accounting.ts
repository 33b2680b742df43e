// Exact request accounting for one phase: sent = completed + failed + in flight, failures by status and by error.
import type { RequestCounts } from '../report/model.ts';

export type { RequestCounts };

export function createCounts(): RequestCounts {
  return { sent: 0, completed: 0, failed: 0, inFlight: 0, byStatus: {}, byError: {} };
}

export function countSent(counts: RequestCounts): void {
  counts.sent += 1;
  counts.inFlight += 1;
}

export function countResponse(counts: RequestCounts, status: number, success: boolean): void {
  counts.inFlight -= 1;
  const key = String(status);
  counts.byStatus[key] = (counts.byStatus[key] ?? 0) + 1;
  if (success) counts.completed += 1;
  else counts.failed += 1;
}

export function countError(counts: RequestCounts, errorKind: string): void {
  counts.inFlight -= 1;
  counts.failed += 1;
  counts.byError[errorKind] = (counts.byError[errorKind] ?? 0) + 1;
}

export function mergeCounts(into: RequestCounts, from: RequestCounts): RequestCounts {
  into.sent += from.sent;
  into.completed += from.completed;
  into.failed += from.failed;
  into.inFlight += from.inFlight;
  for (const [k, v] of Object.entries(from.byStatus)) into.byStatus[k] = (into.byStatus[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.byError)) into.byError[k] = (into.byError[k] ?? 0) + v;
  return into;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const KNOWN_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'EMFILE',
]);

/** Names a transport error the same way for every engine: the OS code when there is one, else a short kind. */
export function classifyError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: unknown } | undefined;
  const code = err?.code;
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && KNOWN_CODES.has(code)) return code;
  if (err?.cause) {
    const inner = classifyError(err.cause);
    if (inner !== 'other') return inner;
  }
  const message = err?.message ?? '';
  if (/timed? ?out/i.test(message)) return 'timeout';
  if (code === 'UND_ERR_SOCKET' || /other side closed|socket hang up/i.test(message)) return 'ECONNRESET';
  if (code) return code;
  return 'other';
}
