import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { commandFixture, closedPort, memoryIO } from '../helpers.ts';

const fixture = commandFixture();

const json = (body: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
};

describe('loadlab run', () => {
  it('open model: writes run.json (valid against the schema), series.csv and prints run.json alone with --json', async () => {
    const server = await fixture.serve(json({ id: 1, name: 'a' }));
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
        fixture.dir,
      ],
      io,
    );
    expect(code).toBe(0);
    const printed = JSON.parse(io.out());
    expect(validateRunJson(printed)).toEqual([]);
    const [dir] = readdirSync(fixture.dir);
    expect(dir).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-run-[0-9a-f]{4}$/);
    const written = JSON.parse(readFileSync(join(fixture.dir, dir!, 'run.json'), 'utf8'));
    expect(written).toEqual(printed);
    expect(written.phases.map((p: { name: string }) => p.name)).toEqual(['warmup', 'sustained']);
    expect(written.phases[1].requests).toMatchObject({ sent: 100, completed: 100, failed: 0 });
    expect(written.checks.map((c: { passed: boolean }) => c.passed)).toEqual([true, true]);
    expect(server.received()).toBe(1 + 50 + 100); // verification + warm-up + sustained
    expect(readFileSync(join(fixture.dir, dir!, 'series.csv'), 'utf8')).toMatch(
      /^second,phase,rps,p50_ms,p99_ms,errors,generator_cpu_pct/,
    );
    expect(io.err()).toContain('PASSED');
  });

  it('closed model with a failing threshold exits 1 and still writes a valid run.json', async () => {
    const server = await fixture.serve(json({ ok: true }));
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
        fixture.dir,
      ],
      io,
    );
    expect(code).toBe(1);
    const [dir] = readdirSync(fixture.dir);
    const run = JSON.parse(readFileSync(join(fixture.dir, dir!, 'run.json'), 'utf8'));
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
        ['run', '--target', `http://127.0.0.1:${port}`, '--rate', '10', '--duration', '1s', '--out', fixture.dir],
        io,
      ),
    ).toBe(3);
    expect(io.err()).toBe(
      `loadlab: target unreachable: GET http://127.0.0.1:${port}/ failed with ECONNREFUSED [LOADLAB_TARGET_UNREACHABLE]\n`,
    );
    expect(readdirSync(fixture.dir)).toEqual([]);
  });

  it('exits 1 without benchmarking when verification finds a wrong answer', async () => {
    const server = await fixture.serve(json({ name: 'a' }));
    const scenarioFile = join(fixture.dir, 'scenario.json');
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
          fixture.dir,
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
    const scenarioFile = join(fixture.dir, 'bad.json');
    writeFileSync(scenarioFile, JSON.stringify({ journeys: [{ name: 'j', steps: [{ path: 'no-slash' }] }] }));
    const io = memoryIO();
    expect(await main(['run', '--target', 'http://127.0.0.1:9', '--rate', '10', '--scenario', scenarioFile], io)).toBe(
      2,
    );
    expect(io.err().split('\n')[0]).toContain('journeys.0.steps.0.path');
  });
});
