// What CI installs must be there under CI=true: a test that skips because a binary is missing would
// otherwise count as a silent gap. On a developer's machine these only report what is missing.
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../../lib/host.ts';

/** Installed by .ci/run through apt-get; each one has tests that skip without it off CI. */
const CI_BINARIES = ['nginx', 'haproxy', 'docker-compose', 'wrk', 'redis-server'] as const;

// Distributions put nginx and HAProxy in sbin, which a non-root PATH may lack (as harness/env/lb.ts does).
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

const found = Object.fromEntries(
  await Promise.all(
    CI_BINARIES.map(async (name) => [name, await findOnPath(name, process.env.PATH ?? '', SBIN)] as const),
  ),
);

describe.runIf(process.env.CI === 'true')('binaries CI installs (CI=true)', () => {
  it.each(CI_BINARIES)('%s is on PATH', (name) => {
    expect(found[name], `${name} is not on PATH: apt-get install ${name}`).toBeTruthy();
  });
});
