// Translates node-postgres errors into the SUT's typed errors: a lost or refused connection is
// 503 SUT_DB_UNAVAILABLE, a statement over its timeout 503 SUT_DB_TIMEOUT, a value PostgreSQL
// refuses (SQLSTATE class 22, data exception) 400, and constraint violations become the conflicts a
// caller can act on. No message of PostgreSQL's own reaches a client.
import { SutError, UnavailableError, ValidationError } from '../errors.ts';

/**
 * SQLSTATEs of a server that is going away or refusing work (admin/crash shutdown, starting up, too
 * many clients, a cancelled statement): worth a retry for the seeder.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** query_canceled: in a request, the statement_timeout the pool sets (or a cancel by an operator). */
const QUERY_CANCELED = '57014';

const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// pg and pg-pool report these without a code.
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'connection timeout',
];

interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
}

export function isUnavailable(err: unknown): boolean {
  const { code, message = '' } = (err ?? {}) as PgLikeError;
  if (code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code) || code.startsWith('08'))) return true;
  return UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
}

/** What a caller wants thrown for the constraint violations it expects (by SQLSTATE). */
export interface ViolationMap {
  /** 23505 unique_violation */
  unique?: (constraint: string | undefined) => SutError;
  /** 23503 foreign_key_violation */
  foreignKey?: (constraint: string | undefined) => SutError;
  /** 23514 check_violation */
  check?: (constraint: string | undefined) => SutError;
}

const SQLSTATE_TO_KEY: Record<string, keyof ViolationMap> = {
  '23505': 'unique',
  '23503': 'foreignKey',
  '23514': 'check',
};

/** Maps an error from pg; anything unexpected is rethrown untouched (a bug, reported as 500). */
export function mapPgError(err: unknown, violations: ViolationMap = {}): unknown {
  if (err instanceof SutError) return err;
  const { code, constraint } = (err ?? {}) as PgLikeError;
  if (code === QUERY_CANCELED) {
    return new UnavailableError('SUT_DB_TIMEOUT', 'the database did not answer in time (statement timeout)', err);
  }
  if (isUnavailable(err)) return new UnavailableError('SUT_DB_UNAVAILABLE', 'the database cannot be reached', err);
  // Class 22: a value the database cannot take (a NUL byte, bad encoding, out of range): the input's fault.
  if (code && /^22[0-9A-Z]{3}$/.test(code)) {
    return new ValidationError(`a value in the request is not one the database accepts (SQLSTATE ${code})`);
  }
  const key = code ? SQLSTATE_TO_KEY[code] : undefined;
  const make = key ? violations[key] : undefined;
  return make ? make(constraint) : err;
}
