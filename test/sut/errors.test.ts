// Error codes: unique, documented with a status, and the classes carry the documented status.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, SutError, type SutErrorCode } from '../../sut/errors.ts';

describe('SUT error codes', () => {
  const codes = Object.keys(ERROR_CODES) as SutErrorCode[];

  it('are unique, prefixed and documented with a 4xx/5xx status and a meaning', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^SUT_[A-Z_]+$/);
      expect(ERROR_CODES[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_CODES[code].meaning.length).toBeGreaterThan(5);
    }
  });

  it('each code is listed in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const code of codes) expect(readme).toContain(code);
  });

  it('an error takes its status from the table', () => {
    for (const code of codes) expect(new SutError(code, 'x').status).toBe(ERROR_CODES[code].status);
  });
});
