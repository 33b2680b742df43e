// Complete accounting: what `loadlab run` reports sending — every phase's sent, the verification calls (also a login
// called again only to feed a capture), the monitor's same-origin /ready and /metrics probes — equals exactly what
// the server counted. The server here counts every request it parses.
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import type { RunJson } from '../../../harness/report/model.ts';
import { validateRunJson } from '../../../harness/report/validate.ts';
import { commandFixture, memoryIO, startServer } from '../helpers.ts';
import { readRun, SMOKE } from '../ladder/level-helpers.ts';

const fixture = commandFixture();

/** A tiny API: /ready, /metrics, a login that hands out a token, and records that carry the id asked for. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/metrics') {
      res.setHeader('content-type', 'text/plain');
      res.end('# TYPE up gauge\nup 1\n');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (path === '/ready') res.end('{"ready":true}');
    else if (path === '/login') res.end('{"token":"t1"}');
    else res.end(JSON.stringify({ id: Number(/(\d+)$/.exec(path)?.[1] ?? 0), name: 'x' }));
  });
}

describe('loadlab run: complete accounting', () => {
  it('phases sent + verification + probes = what the server counted, exactly (a closed and an open phase)', async () => {
    const server = await fixture.serve(handler);
    const scenarioFile = join(fixture.dir, 'scenario.json');
    const login = { name: 'POST /login', method: 'POST', path: '/login', body: {}, capture: { token: 'token' } };
    const auth = { authorization: 'Bearer {var:token}' };
    writeFileSync(
      scenarioFile,
      JSON.stringify({
        journeys: [
          { name: 'user', steps: [login, { name: 'GET /users/:id', path: '/users/{randomInt:1:9}', headers: auth }] },
          { name: 'team', steps: [login, { name: 'GET /teams/:id', path: '/teams/{randomInt:1:9}', headers: auth }] },
        ],
        stages: [
          { name: 'capacity', duration: '1500ms', connections: 2 },
          { name: 'latency', duration: '2s', rate: 40 },
        ],
      }),
    );
    const io = memoryIO();
    // Two generator threads: each thread's sends are counted and merged too.
    const argv = [
      'run',
      '--target',
      server.url,
      '--scenario',
      scenarioFile,
      '--generator-threads',
      '2',
      '--out',
      fixture.dir,
    ];
    const probes = ['--ready-url', `${server.url}/ready`, '--metrics-url', `${server.url}/metrics`];
    const code = await main([...argv, ...probes, '--json'], io);
    expect(io.err()).toContain('PASSED');
    expect(code).toBe(0);
    const run = JSON.parse(io.out()) as RunJson;
    expect(validateRunJson(run)).toEqual([]);
    expect(run.phases.map((p) => [p.model, p.generator.threads])).toEqual([
      ['closed', 2],
      ['open', 2],
    ]);
    expect(run.config).toMatchObject({ generatorThreads: 2, arrivals: 'uniform', checkSample: 0.01 });

    // Two journeys of two steps each: the second login is called only to feed its journey's capture, and counts.
    expect(run.verification).toEqual({ requests: 4, byStatus: { '200': 4 }, byError: {} });
    expect(run.probes!.requests).toBeGreaterThan(0);
    expect(run.probes!.byStatus).toEqual({ '200': run.probes!.requests });
    const sent = run.phases.reduce((sum, p) => sum + p.requests.sent, 0);
    expect(sent + run.verification!.requests + run.probes!.requests).toBe(server.received());
    expect(io.err()).toContain(
      `requests to the target: ${sent} in phases + 4 verification + ${run.probes!.requests} monitor probes = ${server.received()}`,
    );
  });

  it('leaves the probes out when they go to another server (that server counts them, the target does not)', async () => {
    const server = await fixture.serve(handler);
    const monitorServer = await startServer(handler);
    try {
      const io = memoryIO();
      const code = await main(
        [
          'run',
          '--target',
          server.url,
          '--path',
          '/users/7',
          '--rate',
          '20',
          '--duration',
          '1500ms',
          '--ready-url',
          `${monitorServer.url}/ready`,
          '--out',
          fixture.dir,
          '--json',
        ],
        io,
      );
      expect(code).toBe(0);
      const run = JSON.parse(io.out()) as RunJson;
      expect(run.probes).toBeUndefined();
      expect(monitorServer.received()).toBeGreaterThan(0);
      expect(run.phases[0]!.requests.sent + run.verification!.requests).toBe(server.received());
    } finally {
      await monitorServer.close();
    }
  });

  it('a level (--target) counts its verification calls the same way and fails on wrong answers, named in kpi.md', async () => {
    // The standard mix's routes; from the 200th request on, every 7th read of a user answers with the next user.
    let n = 0;
    const server = await fixture.serve((req, res) => {
      n += 1;
      const id = Number(/\/(\d+)(?:\?|$)/.exec(req.url ?? '')?.[1] ?? 1);
      const wrong = n >= 200 && n % 7 === 0 && /^\/api\/users\/\d/.test(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: wrong ? id + 1 : id, items: [], token: 't', userId: 1 }));
    });
    const io = memoryIO();
    // The open phase well below capacity (--load-fraction 0.1): sends still in flight when an open phase ends never
    // reach the server, and a generator checking every answer on two cores falls behind at the default 0.5.
    const load = ['--load-fraction', '0.1', '--check-sample', '1', '--generator-threads', '1'];
    const argv = ['level0', ...SMOKE, '--target', server.url, ...load];
    expect(await main([...argv, '--out', fixture.dir], io)).toBe(1);
    const { run, kpi } = readRun(fixture.dir) as { run: RunJson; kpi: string };
    expect(validateRunJson(run)).toEqual([]);
    expect(run.config).toMatchObject({ generatorThreads: 1, arrivals: 'uniform', checkSample: 1 });
    expect(run.verification!.requests).toBeGreaterThanOrEqual(6); // every step of the standard mix once
    expect(run.probes).toBeUndefined(); // --target: the monitor probes nothing
    const sent = run.phases.reduce((sum, p) => sum + p.requests.sent, 0);
    expect(sent + run.verification!.requests).toBe(server.received());
    const wrong = run.phases.reduce((sum, p) => sum + (p.answerChecks?.wrong ?? 0), 0);
    expect(wrong).toBeGreaterThan(0);
    expect(run.checks.find((c) => c.name === 'right answers')).toMatchObject({ passed: false, value: wrong });
    expect(kpi).toContain(`❌ check right answers: ${wrong} wrong of`);
    expect(kpi).toContain('load generator: 1 thread of');
  }, 60_000);
});
