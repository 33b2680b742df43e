import { describe, expect, it } from 'vitest';
import { AnswerSampler, HeaderCounter, mergeAnswerChecks, mergeTallies } from '../../../harness/engine/inspect.ts';
import { splitConnections } from '../../../harness/engine/thread-job.ts';
import { Recorder } from '../../../harness/engine/recorder.ts';
import { normalizeStep } from '../../../harness/scenario/load.ts';

describe('header tally', () => {
  it('counts one header case-insensitively from undici raw headers and autocannon string lists', () => {
    const t = new HeaderCounter('X-Node-Id');
    t.count([Buffer.from('Content-Type'), Buffer.from('text/plain'), Buffer.from('X-NODE-ID'), Buffer.from('a')]);
    t.count(['x-node-id', 'b']);
    t.count(['x-node-id', 'a']);
    t.count(['x-node-idx', 'c']);
    t.count([]);
    expect(t.report()).toEqual({ header: 'x-node-id', counts: { a: 2, b: 1 }, missing: 2 });
  });

  it('merges tallies exactly', () => {
    expect(
      mergeTallies([
        { header: 'x-node-id', counts: { a: 2, b: 1 }, missing: 1 },
        { header: 'x-node-id', counts: { b: 4, c: 5 }, missing: 0 },
      ]),
    ).toEqual({ header: 'x-node-id', counts: { a: 2, b: 5, c: 5 }, missing: 1 });
    expect(mergeTallies([])).toBeUndefined();
  });
});

describe('answer sampler', () => {
  const step = normalizeStep({ path: '/api/users/{seed:userId}', expectKeys: ['id'] });

  it('takes about the given fraction, seeded; 1 takes every request', () => {
    const s = new AnswerSampler(0.01, 1);
    const taken = Array.from({ length: 100_000 }, () => s.take()).filter(Boolean).length;
    expect(taken).toBeGreaterThan(900);
    expect(taken).toBeLessThan(1_100);
    const again = new AnswerSampler(0.01, 1);
    expect(Array.from({ length: 100_000 }, () => again.take()).filter(Boolean).length).toBe(taken);
    const all = new AnswerSampler(1, 1);
    expect(Array.from({ length: 50 }, () => all.take()).every(Boolean)).toBe(true);
  });

  it('counts checks and wrong answers and keeps the first problem', () => {
    const s = new AnswerSampler(1, 1);
    expect(s.check(step, 200, '{"id":42}', '/api/users/42')).toBeUndefined();
    expect(s.check(step, 200, '{"id":41}', '/api/users/42')).toBe('asked for id 42, got id 41');
    expect(s.check(step, 200, '{"name":"x"}', '/api/users/7')).toBe('JSON body lacks "id"');
    expect(s.report()).toEqual({
      sampleFraction: 1,
      checked: 3,
      wrong: 2,
      firstProblem: 'GET /api/users/42: asked for id 42, got id 41',
    });
  });

  it('merges checks of several threads', () => {
    expect(
      mergeAnswerChecks([
        { sampleFraction: 0.01, checked: 10, wrong: 0 },
        { sampleFraction: 0.01, checked: 12, wrong: 2, firstProblem: 'x' },
      ]),
    ).toEqual({ sampleFraction: 0.01, checked: 22, wrong: 2, firstProblem: 'x' });
  });
});

describe('thread shares', () => {
  it.each([
    [64, 1, [64]],
    [64, 2, [32, 32]],
    [7, 3, [3, 2, 2]],
    [2, 4, [1, 1]],
  ])('%i connections over %i threads → %o', (total, threads, expected) => {
    expect(splitConnections(total, threads)).toEqual(expected);
  });
});

describe('recorder snapshots', () => {
  it('absorbing two recorders gives exactly the counts and histogram of one that saw everything', () => {
    const one = new Recorder();
    const parts = [new Recorder(), new Recorder()];
    for (let i = 0; i < 1_000; i++) {
      const part = parts[i % 2]!;
      const name = i % 3 === 0 ? 'a' : 'b';
      for (const r of [one, part]) {
        r.recordSent(name);
        if (i % 10 === 0) r.recordError(name, 'ECONNRESET');
        else r.recordResponse(name, i % 7 === 0 ? 500 : 200, i % 7 !== 0, 100 + i * 37);
      }
    }
    const merged = new Recorder();
    for (const p of parts) merged.absorb(structuredClone(p.snapshot()));
    expect(merged.counts).toEqual(one.counts);
    expect(merged.histogram.summarizeMs()).toEqual(one.histogram.summarizeMs());
    for (const name of ['a', 'b']) {
      expect(merged.endpoint(name).counts).toEqual(one.endpoint(name).counts);
      expect(merged.endpoint(name).histogram.summarizeMs()).toEqual(one.endpoint(name).histogram.summarizeMs());
    }
  });

  it('streamed windows add up, and their failures show live until the final snapshot settles them', () => {
    const worker = new Recorder();
    worker.recordSent('a');
    worker.recordResponse('a', 500, false, 1_000);
    const main = new Recorder();
    main.absorbWindow(structuredClone(worker.takeEncodedWindow()));
    expect(main.failedSoFar).toBe(1);
    expect(main.takeWindow()).toMatchObject({ responses: 1, errors: 1, p50Ms: 1 });
    main.absorb(worker.snapshot());
    main.settleStreamed();
    expect(main.failedSoFar).toBe(1);
  });
});
