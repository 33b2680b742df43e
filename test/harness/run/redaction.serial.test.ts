// Nothing loadlab writes holds a secret: a run given an Authorization header, a cookie, a secret SUT variable
// and URLs with passwords leaves none of them in any file of its results folder, nor in what it prints,
// while the header names, variable names and hosts stay readable.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import { parseLadderSettings } from '../../../harness/commands/ladder.ts';
import { buildLadderReport, LEVEL_COLUMNS } from '../../../harness/report/ladder-report.ts';
import { finishRun } from '../../../harness/run/finish.ts';
import { commandFixture, memoryIO } from '../helpers.ts';

const SECRET = 's3cret';
const fixture = commandFixture();

/** Every file of the one run folder under `root`, by name. */
function resultFiles(root: string): Record<string, string> {
  const [dir] = readdirSync(root);
  const folder = join(root, dir!);
  return Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name), 'utf8')]));
}

function expectNoSecret(files: Record<string, string>, printed: string): void {
  expect(Object.keys(files)).toContain('run.json');
  for (const [name, content] of Object.entries(files)) expect(content, name).not.toContain(SECRET);
  expect(printed).not.toContain(SECRET);
}

describe('secrets are redacted in everything a run writes', () => {
  it('run: --header authorization/cookie and a password in --ready-url', async () => {
    const seen: string[] = [];
    const server = await fixture.serve((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    const io = memoryIO();
    const argv = ['run', '--target', server.url, '--rate', '20', '--duration', '500ms', '--out', fixture.dir];
    argv.push('--header', `authorization:Bearer ${SECRET}`, '--header', `cookie: sid=${SECRET}-cookie`);
    argv.push('--header', 'x-trace: visible-value', '--ready-url', `http://probe:${SECRET}@127.0.0.1:${server.port}/`);
    const code = await main([...argv, '--generator-threads', '1'], io);
    expect(code).toBe(0);
    expect(seen.every((value) => value === `Bearer ${SECRET}`)).toBe(true); // the target still gets the real one

    const files = resultFiles(fixture.dir);
    expectNoSecret(files, io.out() + io.err());
    const config = JSON.parse(files['run.json']!).config as {
      scenario: { journeys: { steps: { headers: Record<string, string> }[] }[] };
      readyUrl: string;
    };
    expect(config.scenario.journeys[0]!.steps[0]!.headers).toEqual({
      authorization: '***',
      cookie: '***',
      'x-trace': 'visible-value',
    });
    expect(config.readyUrl).toBe(`http://probe:***@127.0.0.1:${server.port}/`);
  });

  it('ladder: --sut-env AUTH_SECRET, --redis-url and --database-url with passwords, and a secret in free text', () => {
    const { settings } = parseLadderSettings([
      '--sut-env',
      `AUTH_SECRET=${SECRET}-${SECRET}-${SECRET}`,
      '--sut-env',
      'LATENCY=fixed:5',
      '--redis-url',
      `redis://:${SECRET}@127.0.0.1:1`,
      '--database-url',
      `postgres://loadlab:${SECRET}@db.internal:5432/loadlab`,
      '--admin-token',
      `${SECRET}-admin`,
      '--out',
      fixture.dir,
      '--json',
    ]);
    // As if a SUT's log line had made its way into a check's detail.
    const checks = [
      {
        name: 'sut started',
        passed: true,
        value: null,
        target: null,
        detail: `it said: AUTH_SECRET=${SECRET}-${SECRET}-${SECRET} REDIS_URL=redis://:${SECRET}@127.0.0.1:1`,
      },
    ];
    const report = buildLadderReport({
      settings,
      phases: [],
      checks,
      columns: [],
      tableColumns: LEVEL_COLUMNS,
      methodRuns: [`Level 0: 1 worker on redis://:${SECRET}@127.0.0.1:1`],
      notes: [],
    });
    const io = memoryIO();
    finishRun(
      {
        kind: 'bench-level0',
        startedAt: new Date(),
        config: report.config,
        phases: [],
        checks,
        kpiRows: report.kpiRows,
        series: [],
        outDir: fixture.dir,
        json: true,
        render: (run) => ({ files: { 'kpi.md': report.renderKpiMarkdown(run) } }),
      },
      io,
    );

    const files = resultFiles(fixture.dir);
    expect(Object.keys(files).sort()).toEqual(['kpi.md', 'run.json', 'series.csv', 'summary.txt']);
    expectNoSecret(files, io.out() + io.err());
    const config = JSON.parse(files['run.json']!).config as Record<string, unknown>;
    expect(config.sutEnv).toEqual({ AUTH_SECRET: '***', LATENCY: 'fixed:5' });
    expect(config.redisUrl).toBe('redis://:***@127.0.0.1:1');
    expect(config.databaseUrl).toBe('postgres://loadlab:***@db.internal:5432/loadlab');
    expect(config.adminToken).toBe('(set)');
  });
});
