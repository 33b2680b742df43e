// Wrong answers under load: a server that passes verification and then, now and then, answers 200 with another
// record than the one asked for. Sampled checks (here every response) count them as wrong-answer failures, the
// summary names them, and the run fails with the check "right answers" (exit 1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.ts';
import type { RunJson } from '../../../harness/report/model.ts';
import { commandFixture, memoryIO } from '../helpers.ts';

const fixture = commandFixture();

/** Answers GET /users/:id with that user, except every `wrongEvery`-th request after the first, with the next one. */
function users(wrongEvery: number | undefined) {
  let n = 0;
  return (req: IncomingMessage, res: ServerResponse) => {
    n += 1;
    const id = Number(/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    const wrong = wrongEvery !== undefined && n > 1 && n % wrongEvery === 0;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id: wrong ? id + 1 : id, name: `user ${id}` }));
  };
}

const runArgs = (url: string) => [
  'run',
  '--target',
  url,
  '--path',
  '/users/{randomInt:1:9}',
  '--rate',
  '50',
  '--duration',
  '1s',
  '--check-sample',
  '1',
  '--out',
  fixture.dir,
  '--json',
];

describe('loadlab run: wrong answers', () => {
  it('a 200 with another id fails the run: wrong-answer in byError, named in the summary, check "right answers"', async () => {
    const server = await fixture.serve(users(5));
    const io = memoryIO();
    expect(await main(runArgs(server.url), io)).toBe(1);
    const run = JSON.parse(io.out()) as RunJson;
    const phase = run.phases[0]!;
    const checks = phase.answerChecks!;
    expect(checks.sampleFraction).toBe(1);
    expect(checks.checked).toBe(phase.requests.completed + phase.requests.failed);
    expect(checks.wrong).toBe(10); // the server's 5th, 10th, … 50th request (its 1st was verification)
    expect(checks.firstProblem).toMatch(/^GET \/users\/\d: asked for id \d, got id \d+$/);
    expect(phase.requests.byError).toEqual({ 'wrong-answer': 10 });
    expect(run.passed).toBe(false);
    expect(run.checks).toEqual([
      expect.objectContaining({ name: 'right answers', passed: false, value: 10, target: 0 }),
    ]);
    expect(io.err()).toContain(`✗ sustained: 10 wrong answers of ${checks.checked} checked (100% sample); first: GET`);
    expect(io.err()).toContain('FAIL  right answers: 10 wrong of');
  });

  it('the same server answering rightly passes, every answer checked', async () => {
    const server = await fixture.serve(users(undefined));
    const io = memoryIO();
    expect(await main(runArgs(server.url), io)).toBe(0);
    const run = JSON.parse(io.out()) as RunJson;
    const phase = run.phases[0]!;
    expect(phase.answerChecks).toMatchObject({ checked: phase.requests.completed, wrong: 0 });
    expect(run.checks).toEqual([]);
    expect(io.err()).toContain(`sustained: answers checked ${phase.requests.completed} (100% sample), all right`);
  });
});
