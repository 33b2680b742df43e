// checkAnswer, the one judge of an answer (verification and the engine's sampled checks): the exact problem it names
// for each wrong status, body or id, none when right.
import { describe, expect, it } from 'vitest';
import { normalizeStep } from '../../../harness/scenario/load.ts';
import { checkAnswer, requestedId } from '../../../harness/scenario/answer.ts';
import type { StepInput } from '../../../harness/scenario/types.ts';

const step = (extra: Partial<StepInput> = {}) => normalizeStep({ path: '/x', ...extra });

describe('checkAnswer', () => {
  it.each<[string, Partial<StepInput>, number, string]>([
    ['any 2xx without expectations', {}, 200, ''],
    ['a 3xx without expectations', {}, 304, ''],
    ['the one expected status', { expectStatus: 201 }, 201, ''],
    ['one of several expected statuses', { expectStatus: [200, 404] }, 404, ''],
    ['a body with every expected key', { expectKeys: ['id', 'team.name'] }, 200, '{"id":1,"team":{"name":"a"}}'],
    ['a key whose value is null (present)', { expectKeys: ['id'] }, 200, '{"id":null}'],
    ['a body holding what capture reads', { capture: { t: 'token' } }, 200, '{"token":"t"}'],
    ['a non-JSON body when nothing is read from it', { expectStatus: 200 }, 200, 'plain text'],
  ])('accepts %s', (_what, extra, status, bodyText) => {
    expect(checkAnswer(step(extra), status, bodyText)).toBeUndefined();
  });

  it.each<[string, Partial<StepInput>, number, string, string]>([
    ['a 4xx without expectations', {}, 404, '', 'expected a status below 400, got 404'],
    ['a 5xx with its body', {}, 503, '{"error":1}', 'expected a status below 400, got 503 with body {"error":1}'],
    ['another status', { expectStatus: 201 }, 200, '', 'expected status 201, got 200'],
    ['none of several', { expectStatus: [200, 204] }, 500, '', 'expected status 200 or 204, got 500'],
    ['a non-JSON body', { expectKeys: ['id'] }, 200, 'oops', 'expected a JSON body, got "oops"'],
    ['a missing key', { expectKeys: ['id', 'name'] }, 200, '{"id":1}', 'JSON body lacks "name"'],
    ['a missing nested key', { expectKeys: ['a.b'] }, 200, '{"a":{}}', 'JSON body lacks "a.b"'],
    ['what capture reads', { capture: { t: 'token', u: 'userId' } }, 200, '{}', 'JSON body lacks "token", "userId"'],
    ['key + capture', { expectKeys: ['id'], capture: { t: 'token' } }, 200, '[]', 'JSON body lacks "id", "token"'],
  ])('names %s', (_what, extra, status, bodyText, problem) => {
    expect(checkAnswer(step(extra), status, bodyText)).toBe(problem);
  });

  it('quotes at most 120 characters of a wrong answer and 80 of a non-JSON one', () => {
    const long = 'x'.repeat(500);
    expect(checkAnswer(step(), 500, long)).toBe(`expected a status below 400, got 500 with body ${'x'.repeat(120)}`);
    expect(checkAnswer(step({ expectKeys: ['id'] }), 200, long)).toBe(`expected a JSON body, got "${'x'.repeat(80)}"`);
  });

  const read = (extra: Partial<StepInput> = {}) =>
    normalizeStep({ name: 'GET /api/users/:id', path: '/api/users/{seed:userId}', expectStatus: 200, ...extra });
  const user42 = '{"id":42,"email":"user42@example.test","name":"Alan Hopper 42"}';

  it.each<[string, Partial<StepInput>, string, string, string | undefined]>([
    ['the record asked for', { expectKeys: ['id'] }, '/api/users/42', user42, undefined],
    ['its id as a string', {}, '/api/users/42', '{"id":"42"}', undefined],
    ['a query after the id', {}, '/api/users/42?fields=all', user42, undefined],
    ['another record', { expectKeys: ['id'] }, '/api/users/42', '{"id":41,"name":"x"}', 'asked for id 42, got id 41'],
    ['a null id', {}, '/api/users/42', '{"id":null}', 'asked for id 42, got id null'],
    ['a missing key before the id', { expectKeys: ['email'] }, '/api/users/42', '{"id":42}', 'JSON body lacks "email"'],
    [
      'a non-JSON body read for a key',
      { expectKeys: ['id'] },
      '/api/users/42',
      'oops',
      'expected a JSON body, got "oops"',
    ],
    ['a non-JSON body nothing reads', {}, '/api/users/42', 'oops', undefined],
    ['a record without an id', {}, '/api/users/42', '{"name":"x"}', undefined],
    ['a list (no top-level id)', {}, '/api/users/42', '[{"id":1}]', undefined],
  ])('id check: %s', (_what, extra, path, bodyText, problem) => {
    expect(checkAnswer(read(extra), 200, bodyText, path)).toBe(problem);
  });

  it('checks the id only when given the path as sent, and only for reads', () => {
    const wrong = '{"id":41}';
    expect(checkAnswer(read(), 200, wrong)).toBeUndefined();
    expect(checkAnswer(read(), 200, wrong, '/api/users/42')).toBe('asked for id 42, got id 41');
    expect(checkAnswer(read({ method: 'PUT' }), 200, wrong, '/api/users/42')).toBeUndefined();
    expect(checkAnswer(read(), 404, wrong, '/api/users/42')).toBe('expected status 200, got 404 with body {"id":41}');
  });

  it.each<[string, string, string | undefined]>([
    ['GET', '/api/users/42', '42'],
    ['GET', '/api/teams/7/', '7'],
    ['GET', '/api/users/42?x=1', '42'],
    ['GET', '/api/users/search?q=user12', undefined],
    ['GET', '/api/users', undefined],
    ['GET', '/api/users/abc', undefined],
    ['DELETE', '/api/users/42', undefined],
  ])('requestedId(%s %s) = %s', (method, path, id) => {
    expect(requestedId(method, path)).toBe(id);
  });
});
