// The built SUT (lib/sut-build.ts): one bundle of sut/main.ts that is rebuilt when a source is newer, and runs.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureSutBuilt, SUT_BUNDLE, sutBundleStale } from '../../lib/sut-build.ts';

describe('ensureSutBuilt', () => {
  it('builds .build/sut.mjs from sut/main.ts and its imports, and is then fresh', async () => {
    const path = await ensureSutBuilt();
    expect(path).toBe(SUT_BUNDLE);
    expect(sutBundleStale()).toBe(false);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('// sut/main.ts');
    expect(text).toContain('// sut/app.ts');
    expect(text).not.toMatch(/^import .* from ['"]hono['"];?$/m); // packages are inside, except BullMQ (its Lua files)
    const before = statSync(path).mtimeMs;
    expect(await ensureSutBuilt()).toBe(path);
    expect(statSync(path).mtimeMs).toBe(before); // fresh: not rebuilt
  });

  it('runs: a bad variable exits 2 naming it, as sut/main.ts does', async () => {
    const path = await ensureSutBuilt();
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, [path], { env: { PATH: process.env.PATH, WORKERS: '0' }, stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number | null; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr).toContain('WORKERS="0": expected a whole number from 1 to 256');
  });
});
