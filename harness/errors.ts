// Typed, coded harness errors; cli.ts is the one place that maps them to exit codes.

export const EXIT = { passed: 0, failed: 1, usage: 2, environment: 3, internal: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Every code the harness can raise, with what it means; a test keeps this list unique and complete. */
export const ERROR_CODES = {
  LOADLAB_USAGE: 'a command-line option is missing, unknown or malformed',
  LOADLAB_SCENARIO_INVALID: 'the scenario file cannot be read or does not match the scenario format',
  LOADLAB_THRESHOLD_INVALID: 'a threshold expression cannot be parsed',
  LOADLAB_TARGET_UNREACHABLE: 'the target refused or did not answer the verification request',
  LOADLAB_VERIFY_FAILED: 'an endpoint answered the verification request with a wrong status or body',
  LOADLAB_SELFTEST_FAILED: 'the engine disagreed with the oracle beyond the tolerance',
  LOADLAB_ENV_MISSING: 'a binary, port or service the command needs is not available',
  LOADLAB_INTERNAL: 'a bug in loadlab',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class LoadlabError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

export class UsageError extends LoadlabError {
  constructor(message: string, code: ErrorCode = 'LOADLAB_USAGE') {
    super(code, EXIT.usage, message);
  }
}

export class ScenarioError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_SCENARIO_INVALID', EXIT.usage, message, options);
  }
}

export class ThresholdError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_THRESHOLD_INVALID', EXIT.usage, message);
  }
}

export class TargetUnreachableError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_TARGET_UNREACHABLE', EXIT.environment, message, options);
  }
}

export class VerificationError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_VERIFY_FAILED', EXIT.failed, message);
  }
}

export class EnvironmentError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_ENV_MISSING', EXIT.environment, message);
  }
}

export class SelftestError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_SELFTEST_FAILED', EXIT.failed, message);
  }
}
