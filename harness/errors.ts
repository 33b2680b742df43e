// Typed, coded harness errors in one table (code → exit code → meaning); cli.ts is the one place that maps them to exits.

export const EXIT = { passed: 0, failed: 1, usage: 2, environment: 3, internal: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Every code the harness raises, the exit code it ends a command with, the class that raises it and what it means.
 * Codes are never reused; a test checks that each is raised somewhere and documented in the README, and back.
 */
export const ERRORS = {
  LOADLAB_USAGE: {
    exit: EXIT.usage,
    raisedBy: 'UsageError',
    meaning: 'a command-line option is missing, unknown or malformed',
  },
  LOADLAB_SCENARIO_INVALID: {
    exit: EXIT.usage,
    raisedBy: 'ScenarioError',
    meaning: 'the scenario file cannot be read or does not match the scenario format',
  },
  LOADLAB_THRESHOLD_INVALID: {
    exit: EXIT.usage,
    raisedBy: 'ThresholdError',
    meaning: 'a target (--threshold, --kpi or a scenario threshold) cannot be parsed',
  },
  LOADLAB_VERIFY_FAILED: {
    exit: EXIT.failed,
    raisedBy: 'VerificationError',
    meaning: 'an endpoint answered the verification request with a wrong status or body: nothing was timed',
  },
  LOADLAB_TARGET_UNREACHABLE: {
    exit: EXIT.environment,
    raisedBy: 'TargetUnreachableError',
    meaning: 'the target refused or did not answer the verification request',
  },
  LOADLAB_ENV_MISSING: {
    exit: EXIT.environment,
    raisedBy: 'EnvironmentError',
    meaning: 'a binary, port or service the command needs is not available',
  },
  LOADLAB_SUT_FAILED: {
    exit: EXIT.internal,
    raisedBy: 'SutFailedError',
    meaning:
      'the SUT loadlab started did not start, or failed a reload it was sent, for a reason other than its environment',
  },
  LOADLAB_GENERATOR_FAILED: {
    exit: EXIT.internal,
    raisedBy: 'GeneratorError',
    meaning: 'an outside load generator (wrk, the autocannon CLI) ran but gave no result loadlab can read',
  },
  LOADLAB_CHAOS: {
    exit: EXIT.internal,
    raisedBy: 'ChaosError',
    meaning: '--chaos fail: a failure injected on purpose, to prove that a failed run stops everything it started',
  },
  LOADLAB_INTERNAL: { exit: EXIT.internal, raisedBy: 'InternalError', meaning: 'a bug in loadlab' },
} as const;
export type ErrorCode = keyof typeof ERRORS;

export class LoadlabError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = ERRORS[code].exit;
  }
}

export class UsageError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_USAGE', message);
  }
}

export class ScenarioError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_SCENARIO_INVALID', message, options);
  }
}

export class ThresholdError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_THRESHOLD_INVALID', message);
  }
}

export class VerificationError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_VERIFY_FAILED', message);
  }
}

export class TargetUnreachableError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_TARGET_UNREACHABLE', message, options);
  }
}

export class EnvironmentError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_ENV_MISSING', message, options);
  }
}

export class SutFailedError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_SUT_FAILED', message, options);
  }
}

export class GeneratorError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_GENERATOR_FAILED', message);
  }
}

export class ChaosError extends LoadlabError {
  constructor(message: string) {
    super('LOADLAB_CHAOS', message);
  }
}

export class InternalError extends LoadlabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOADLAB_INTERNAL', message, options);
  }
}
