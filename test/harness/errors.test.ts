import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../harness/errors.ts';
import { ERRORS, LoadlabError } from '../../harness/errors.ts';
import { SERVICE_ERROR_CODES } from '../../services/errors.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const harnessCode = sources('harness')
  .filter((f) => f !== join('harness', 'errors.ts'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const readme = readFileSync('README.md', 'utf8');
const errorClasses = Object.entries(errors).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof LoadlabError,
);

describe('the harness error table', () => {
  it('every LOADLAB_* code the harness names is in the table (or the services table)', () => {
    const used = new Set(harnessCode.match(/LOADLAB_[A-Z_]+/g) ?? []);
    const known = [...Object.keys(ERRORS), ...Object.keys(SERVICE_ERROR_CODES)];
    for (const code of used) expect(known, code).toContain(code);
  });

  it.each(Object.entries(ERRORS))('%s is raised somewhere in harness/ through its class', (code, row) => {
    expect(harnessCode, `${row.raisedBy} is never constructed`).toMatch(new RegExp(`new ${row.raisedBy}\\(`));
    const Class = errorClasses.find(([name]) => name === row.raisedBy)?.[1] as
      (new (m: string) => LoadlabError) | undefined;
    expect(Class, `${row.raisedBy} is not exported by harness/errors.ts`).toBeDefined();
    const error = new Class!('x');
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(row.exit);
  });

  it('every error class has a row, and no two rows share a class or a meaning', () => {
    const classes = Object.values(ERRORS).map((row) => row.raisedBy);
    expect(errorClasses.map(([name]) => name).sort()).toEqual([...classes].sort());
    expect(new Set(classes).size).toBe(classes.length);
    expect(new Set(Object.values(ERRORS).map((row) => row.meaning)).size).toBe(classes.length);
  });

  it('the README documents every code with its exit code, and no other', () => {
    const documented = [...readme.matchAll(/^\| `(LOADLAB_[A-Z_]+)` \| (\d) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(documented).toEqual(Object.entries(ERRORS).map(([code, row]) => [code, row.exit]));
  });
});
