// Every example scenario, stages shortened, run by `loadlab run` against the real SUT: verification passes, no errors.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { parseScenario } from '../../../harness/scenario/load.ts';
import type { RunJson } from '../../../harness/report/model.ts';
import { memoryIO } from '../helpers.ts';
import { startSutProcess, type SutProcess } from '../../support/sut-process.ts';

const EXAMPLES = new URL('../../../harness/scenario/examples/', import.meta.url).pathname;
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

/** Low enough for a shared test database, long enough for every journey to be walked a few times. */
const SHORT_STAGES = [
  { name: 'warm-up', duration: '1s', rate: 20 },
  { name: 'sustained', duration: '2s', rate: 20 },
];

let sut: SutProcess;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'loadlab-examples-'));
  const redisUrl = inject('redisUrl');
  sut = await startSutProcess({ WORKERS: '1', DATABASE_URL: inject('databaseUrl'), REDIS_URL: redisUrl || 'off' });
});
afterAll(async () => {
  await sut?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

/** The example as written, with short stages and only its error-rate thresholds (timings are not for tests). */
function shortenedCopy(file: string): { path: string; stepNames: string[]; expected: Map<string, number[]> } {
  const json = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { thresholds?: string[] };
  const thresholds = (json.thresholds ?? []).filter((t) => t.startsWith('error_rate'));
  const shortened = { ...json, stages: SHORT_STAGES, thresholds };
  const path = join(workDir, file);
  writeFileSync(path, JSON.stringify(shortened));
  const steps = parseScenario(shortened, file).journeys.flatMap((j) => j.steps);
  const expected = new Map(steps.map((s) => [s.name, s.expectStatus === undefined ? [] : [s.expectStatus].flat()]));
  return { path, stepNames: [...expected.keys()], expected };
}

/** A status some step expects; a step without expectStatus accepts any status below 400. */
function isExpected(status: number, expected: Map<string, number[]>): boolean {
  return [...expected.values()].some((list) => (list.length ? list.includes(status) : status >= 100 && status < 400));
}

describe('example scenarios against the real SUT', () => {
  it.each(exampleFiles)(
    '%s: verification passes and every endpoint answers only as expected',
    async (file) => {
      const { path, stepNames, expected } = shortenedCopy(file);
      const io = memoryIO();
      const outDir = join(workDir, 'out');
      const code = await main(['run', '--target', sut.url, '--scenario', path, '--json', '--out', outDir], io);
      expect(code, io.err()).toBe(0);

      const verifiedLine =
        io
          .err()
          .split('\n')
          .find((line) => line.startsWith('verified ')) ?? '';
      for (const name of stepNames) expect(verifiedLine, `${name} verified`).toContain(`${name} → `);

      const run = JSON.parse(io.out()) as RunJson;
      expect(validateRunJson(run)).toEqual([]);
      expect(run.phases.map((p) => p.name)).toEqual(['warm-up', 'sustained']);
      for (const phase of run.phases) {
        expect(phase.requests.byError, `${phase.name} transport errors`).toEqual({});
        expect(phase.requests.failed, `${phase.name} failed`).toBe(0);
        expect(phase.requests.completed).toBe(phase.requests.sent - phase.requests.inFlight);
        for (const endpoint of phase.endpoints) {
          expect(stepNames, 'endpoint named after a step').toContain(endpoint.name);
          expect(endpoint.failed, `${phase.name} ${endpoint.name} failed`).toBe(0);
        }
        const unexpected = Object.keys(phase.requests.byStatus).filter(
          (status) => !isExpected(Number(status), expected),
        );
        expect(unexpected, `${phase.name} statuses no step expects`).toEqual([]);
      }
      expect(run.phases[1]!.requests.sent).toBeGreaterThan(30);
    },
    60_000,
  );
});
