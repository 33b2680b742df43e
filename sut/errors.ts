// Typed, coded SUT errors: one class per family, each code used once, mapped to HTTP in app.ts.

export type SutErrorCode =
  | 'SUT_BAD_JSON'
  | 'SUT_VALIDATION'
  | 'SUT_UNPROCESSABLE'
  | 'SUT_NOT_FOUND'
  | 'SUT_ROUTE_NOT_FOUND'
  | 'SUT_METHOD_NOT_ALLOWED'
  | 'SUT_CONFLICT'
  | 'SUT_BODY_TOO_LARGE'
  | 'SUT_UNSUPPORTED_MEDIA_TYPE'
  | 'SUT_UNAUTHORIZED'
  | 'SUT_TOKEN_EXPIRED'
  | 'SUT_FORBIDDEN'
  | 'SUT_DB_UNAVAILABLE'
  | 'SUT_DB_TIMEOUT'
  | 'SUT_QUEUE_UNAVAILABLE'
  | 'SUT_OVERLOADED'
  | 'SUT_RATE_LIMITED'
  | 'SUT_INTERNAL';

/** Every code, its HTTP status and what it means — the errors test checks this table is complete. */
export const ERROR_CODES: Readonly<Record<SutErrorCode, { status: number; meaning: string }>> = {
  SUT_BAD_JSON: { status: 400, meaning: 'the body is not valid JSON' },
  SUT_VALIDATION: { status: 400, meaning: 'a parameter or field has the wrong type or form' },
  SUT_UNPROCESSABLE: { status: 422, meaning: 'well-formed input that breaks a rule (e.g. unknown member)' },
  SUT_NOT_FOUND: { status: 404, meaning: 'no resource with that id' },
  SUT_ROUTE_NOT_FOUND: { status: 404, meaning: 'no such route' },
  SUT_METHOD_NOT_ALLOWED: { status: 405, meaning: 'the route exists but not for this method' },
  SUT_CONFLICT: { status: 409, meaning: 'duplicate (email, team membership)' },
  SUT_BODY_TOO_LARGE: { status: 413, meaning: 'the body is over the size limit' },
  SUT_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'a body that is not application/json' },
  SUT_UNAUTHORIZED: { status: 401, meaning: 'missing or invalid bearer token, or wrong credentials' },
  SUT_TOKEN_EXPIRED: { status: 401, meaning: 'the bearer token has expired' },
  SUT_FORBIDDEN: {
    status: 403,
    meaning: 'the token is valid but may not do this (another user, a team it does not run, an admin route)',
  },
  SUT_DB_UNAVAILABLE: { status: 503, meaning: 'the database cannot be reached' },
  SUT_DB_TIMEOUT: { status: 503, meaning: 'a database query ran over its statement timeout' },
  SUT_QUEUE_UNAVAILABLE: { status: 503, meaning: 'the job queue (Redis) cannot be reached' },
  SUT_OVERLOADED: {
    status: 503,
    meaning: 'the worker is answering MAX_IN_FLIGHT requests already; retry after Retry-After seconds',
  },
  SUT_RATE_LIMITED: { status: 429, meaning: 'this client is over RATE_LIMIT_RPS; retry after Retry-After seconds' },
  SUT_INTERNAL: { status: 500, meaning: 'a bug: reported, never expected' },
};

export class SutError extends Error {
  readonly code: SutErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: SutErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options?.details;
  }
}

export class ValidationError extends SutError {
  constructor(message: string, details?: unknown) {
    super('SUT_VALIDATION', message, { details });
  }
}

export class NotFoundError extends SutError {
  constructor(what: string) {
    super('SUT_NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends SutError {
  constructor(message: string) {
    super('SUT_CONFLICT', message);
  }
}

export class UnprocessableError extends SutError {
  constructor(message: string) {
    super('SUT_UNPROCESSABLE', message);
  }
}

export class AuthError extends SutError {
  constructor(code: 'SUT_UNAUTHORIZED' | 'SUT_TOKEN_EXPIRED' | 'SUT_FORBIDDEN', message: string) {
    super(code, message);
  }
}

/**
 * A dependency that is down or too slow. Its message goes to the client, so the cause's own text
 * (a driver's message: host, port, SQL) is cut out of it; the cause itself stays on the error.
 */
export class UnavailableError extends SutError {
  constructor(
    code: 'SUT_DB_UNAVAILABLE' | 'SUT_DB_TIMEOUT' | 'SUT_QUEUE_UNAVAILABLE',
    message: string,
    cause?: unknown,
  ) {
    super(code, withoutCauseText(message, cause), { cause });
  }
}

function withoutCauseText(message: string, cause: unknown): string {
  const text = cause instanceof Error ? cause.message.trim() : '';
  if (!text) return message;
  return message.replaceAll(` (${text})`, '').replaceAll(text, '(cause withheld)');
}
