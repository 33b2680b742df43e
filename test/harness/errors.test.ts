import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../harness/errors.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('every LOADLAB_* code used in harness/ is documented in ERROR_CODES, and every documented code is distinct', () => {
    const used = new Set(sources('harness').flatMap((f) => readFileSync(f, 'utf8').match(/LOADLAB_[A-Z_]+/g) ?? []));
    for (const code of used) expect(Object.keys(ERROR_CODES), code).toContain(code);
    expect(new Set(Object.values(ERROR_CODES)).size).toBe(Object.keys(ERROR_CODES).length);
  });
});
