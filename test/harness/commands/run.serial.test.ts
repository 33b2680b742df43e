import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { closedPort, memoryIO, startServer, type TestServer } from '../helpers.ts';

let server: TestServer | undefined;
let outDir: string;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'loadlab-test-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(outDir, { recursive: true, force: true });
});

const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

describe('loadlab run', () => {
  it('open model: writes run.json (valid against the schema), series.csv and prints run.json alone with --json', async () => {
    server = await startServer(json({ id: 1, name: 'a' }));
    const io = memoryIO();
    const code = await main(
      [
        'run',
        '--target',
        server.url,
        '--path',
        '/users/1',
        '--rate',
        '100',
        '--duration',
        '1s',
        '--warmup',
        '500ms',
        '--threshold',
        'p99<5s',
        '--threshold',
        'error_rate<0.01',
        '--json',
        '--out',
        outDir,
      ],
      io,
    );
    expect(code).toBe(0);
    const printed = JSON.parse(io.out());
    expect(validateRunJson(printed)).toEqual([]);
    const [dir] = readdirSync(outDir);
    expect(dir).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-run-[0-9a-f]{4}$/);
    const written = JSON.parse(readFileSync(join(outDir, dir!, 'run.json'), 'utf8'));
    expect(written).toEqual(printed);
    expect(written.phases.map((p: { name: string }) => p.name)).toEqual(['warmup', 'sustained']);
    expect(written.phases[1].requests).toMatchObject({ sent: 100, completed: 100, failed: 0 });
    expect(written.checks.map((c: { passed: boolean }) => c.passed)).toEqual([true, true]);
    expect(server.received()).toBe(1 + 50 + 100); // verification + warm-up + sustained
    expect(readFileSync(join(outDir, dir!, 'series.csv'), 'utf8')).toMatch(
      /^second,phase,rps,p50_ms,p99_ms,errors,generator_cpu_pct/,
    );
    expect(io.err()).toContain('PASSED');
  });

  it('closed model with a failing threshold exits 1 and still writes a valid run.json', async () => {
    server = await startServer(json({ ok: true }));
    const io = memoryIO();
    const code = await main(
      [
        'run',
        '--target',
        server.url,
        '--connections',
        '2',
        '--duration',
        '500ms',
        '--threshold',
        'rps>100000000',
        '--out',
        outDir,
      ],
      io,
    );
    expect(code).toBe(1);
    const [dir] = readdirSync(outDir);
    const run = JSON.parse(readFileSync(join(outDir, dir!, 'run.json'), 'utf8'));
    expect(validateRunJson(run)).toEqual([]);
    expect(run.passed).toBe(false);
    expect(run.phases[0]).toMatchObject({ model: 'closed', connections: 2 });
    expect(io.err()).toContain('FAIL  rps>100000000');
  });

  it('exits 3 with one line when the target is unreachable', async () => {
    const port = await closedPort();
    const io = memoryIO();
    expect(
      await main(
        ['run', '--target', `http://127.0.0.1:${port}`, '--rate', '10', '--duration', '1s', '--out', outDir],
        io,
      ),
    ).toBe(3);
    expect(io.err()).toBe(
      `loadlab: target unreachable: GET http://127.0.0.1:${port}/ failed with ECONNREFUSED [LOADLAB_TARGET_UNREACHABLE]\n`,
    );
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('exits 1 without benchmarking when verification finds a wrong answer', async () => {
    server = await startServer(json({ name: 'a' }));
    const scenarioFile = join(outDir, 'scenario.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({
        journeys: [
          {
            name: 'j',
            steps: [{ path: '/users/{randomInt:1:9}', name: 'GET /users/:id', expectKeys: ['id', 'name'] }],
          },
        ],
      }),
    );
    const io = memoryIO();
    expect(
      await main(
        [
          'run',
          '--target',
          server.url,
          '--rate',
          '10',
          '--duration',
          '1s',
          '--scenario',
          scenarioFile,
          '--out',
          outDir,
        ],
        io,
      ),
    ).toBe(1);
    expect(io.err()).toMatch(
      /verification failed, not benchmarking: GET \/users\/:id \(GET \/users\/\d\): JSON body lacks "id" \[LOADLAB_VERIFY_FAILED\]/,
    );
    expect(server.received()).toBe(1);
  });

  it('rejects an invalid scenario file with exit 2 naming the field', async () => {
    const scenarioFile = join(outDir, 'bad.json');
    writeFileSync(scenarioFile, JSON.stringify({ journeys: [{ name: 'j', steps: [{ path: 'no-slash' }] }] }));
    const io = memoryIO();
    expect(await main(['run', '--target', 'http://127.0.0.1:9', '--rate', '10', '--scenario', scenarioFile], io)).toBe(
      2,
    );
    expect(io.err().split('\n')[0]).toContain('journeys.0.steps.0.path');
  });
});
