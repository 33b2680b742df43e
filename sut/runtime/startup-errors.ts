// Why the SUT cannot start in this environment (exit 3): one line each, never a stack trace, and
// for PostgreSQL the three ways to get one — the SUT starts no service itself.
import { redactUrl } from '../../lib/url.ts';
import { formatPortInUse } from '../../lib/sut-protocol.ts';

const GET_POSTGRES =
  'get one with `npm start` (starts an embedded one), `docker compose up`, or set DATABASE_URL=postgres://user:password@host:5432/db';

/** Something outside the SUT is missing or taken; main.ts prints the message and exits 3. */
export class StartupEnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupEnvironmentError';
  }
}

export function databaseUrlMissing(): StartupEnvironmentError {
  return new StartupEnvironmentError(`DATABASE_URL is not set: the SUT needs a PostgreSQL; ${GET_POSTGRES}`);
}

export function databaseUnreachable(url: string, reason: string, cause?: unknown): StartupEnvironmentError {
  return new StartupEnvironmentError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${reason}; ${GET_POSTGRES}`, {
    cause,
  });
}

export function portInUse(host: string, port: number): StartupEnvironmentError {
  return new StartupEnvironmentError(formatPortInUse(host, port));
}
