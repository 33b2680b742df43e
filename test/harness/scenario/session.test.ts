// A virtual user's walk: weighted journey choice from a seed, steps in order, captured tokens, think time carried.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../harness/scenario/load.ts';
import { isStaticScenario, needsBody, scenarioSteps, Session } from '../../../harness/scenario/session.ts';
import type { ScenarioInput } from '../../../harness/scenario/types.ts';

const oneStep = (name: string, path = `/${name}`) => ({ name, path });

function journeyNames(session: Session, count: number): string[] {
  return Array.from({ length: count }, () => session.next().step.name);
}

describe('Session journey choice', () => {
  const weighted = parseScenario({
    journeys: [
      { name: 'heavy', weight: 3, steps: [oneStep('heavy')] },
      { name: 'light', weight: 1, steps: [oneStep('light')] },
    ],
  });

  it.each([1, 2, 42])('with seed %i picks journeys in proportion to their weights (3:1 within 2 points)', (seed) => {
    const names = journeyNames(new Session(weighted, seed), 4_000);
    const heavyShare = names.filter((n) => n === 'heavy').length / names.length;
    expect(heavyShare).toBeGreaterThan(0.73);
    expect(heavyShare).toBeLessThan(0.77);
  });

  it('repeats the same walk for the same seed and a different one for another seed', () => {
    const first = journeyNames(new Session(weighted, 7), 64);
    expect(journeyNames(new Session(weighted, 7), 64)).toEqual(first);
    expect(journeyNames(new Session(weighted, 8), 64)).not.toEqual(first);
  });

  it('never picks a journey whose weight is negligible next to another', () => {
    const lopsided = parseScenario({
      journeys: [
        { name: 'always', weight: 1e9, steps: [oneStep('always')] },
        { name: 'never', weight: 1e-9, steps: [oneStep('never')] },
      ],
    });
    expect(new Set(journeyNames(new Session(lopsided, 3), 1_000))).toEqual(new Set(['always']));
  });

  it('walks every step of a journey in order before picking the next journey', () => {
    const scenario = parseScenario({
      journeys: [
        { name: 'a', steps: [oneStep('a1'), oneStep('a2'), oneStep('a3')] },
        { name: 'b', steps: [oneStep('b1'), oneStep('b2')] },
      ],
    });
    const names = journeyNames(new Session(scenario, 5), 300);
    const walks = names
      .join(' ')
      .replace(/a1 a2 a3|b1 b2/g, '')
      .trim();
    expect(walks).toBe('');
  });

  it('numbers requests with {seq} from 1, across journeys', () => {
    const scenario = parseScenario({ journeys: [{ name: 'j', steps: [oneStep('s', '/n/{seq}')] }] });
    const session = new Session(scenario, 1);
    expect([session.next().path, session.next().path, session.next().path]).toEqual(['/n/1', '/n/2', '/n/3']);
  });

  it('draws the same seeded ids for the same seed', () => {
    const scenario = parseScenario({ journeys: [{ name: 'j', steps: [oneStep('GET /u/:id', '/u/{seed:userId}')] }] });
    const walk = (seed: number) => {
      const session = new Session(scenario, seed);
      return Array.from({ length: 20 }, () => session.next().path);
    };
    expect(walk(11)).toEqual(walk(11));
    expect(walk(11)).not.toEqual(walk(12));
    expect(walk(11).every((p) => /^\/u\/([1-9]\d{0,4}|100000)$/.test(p))).toBe(true);
  });
});

describe('Session token capture', () => {
  const login: ScenarioInput = {
    journeys: [
      {
        name: 'login-then-write',
        steps: [
          { name: 'login', method: 'POST', path: '/login', body: {}, capture: { t: 'token', userId: 'user.id' } },
          { name: 'write', method: 'PUT', path: '/users/{var:userId}', headers: { authorization: 'Bearer {var:t}' } },
        ],
      },
    ],
  };

  function afterLogin(bodyText: string | undefined): { step: string; path: string; authorization?: string } {
    const session = new Session(parseScenario(login), 1);
    const first = session.next();
    session.onResponse(first.step, bodyText);
    const second = session.next();
    return { step: second.step.name, path: second.path, authorization: second.headers.authorization };
  }

  it.each([
    ['a JSON answer', '{"token":"t-1","user":{"id":42}}', { path: '/users/42', authorization: 'Bearer t-1' }],
    ['a number token (kept as text)', '{"token":5,"user":{"id":1}}', { path: '/users/1', authorization: 'Bearer 5' }],
    [
      'an object (kept as JSON)',
      '{"token":{"a":1},"user":{"id":[2]}}',
      { path: '/users/[2]', authorization: 'Bearer {"a":1}' },
    ],
  ])('from %s: the journey goes on with the captured values', (_what, bodyText, expected) => {
    expect(afterLogin(bodyText)).toEqual({ step: 'write', ...expected });
  });

  it.each([
    ['a body that is not JSON', 'Bad Gateway'],
    ['no body (an error or a timeout)', undefined],
    ['null values', '{"token":null,"user":{"id":null}}'],
    ['a missing path', '{"token":"t-2"}'],
  ])('from %s: the rest of the journey is dropped, the next request starts a new one', (_what, bodyText) => {
    expect(afterLogin(bodyText)).toMatchObject({ step: 'login', path: '/login' });
  });

  it('keeps a captured value for later journeys until a new answer replaces it', () => {
    const session = new Session(parseScenario(login), 1);
    const steps = Array.from({ length: 4 }, () => session.next());
    session.onResponse(steps[0]!.step, '{"token":"old","user":{"id":1}}');
    const next = session.next();
    expect(next.step.name).toBe('login');
    expect(session.next().headers.authorization).toBe('Bearer old');
  });

  it('ignores answers to steps that capture nothing', () => {
    const session = new Session(parseScenario(login), 1);
    session.next();
    const write = session.next();
    session.onResponse(write.step, '{"token":"never","user":{"id":9}}');
    session.next();
    expect(session.next().path).toBe('/users/');
  });
});

describe('think time and request shape', () => {
  it.each([
    ['given in the file', { thinkTimeMs: 250 }, 250],
    ['absent (default)', {}, 0],
  ])('a step carries its thinkTimeMs to the engine when %s', (_what, extra, expectedMs) => {
    const scenario = parseScenario({ journeys: [{ name: 'j', steps: [{ path: '/x', ...extra }] }] });
    expect(new Session(scenario, 1).next().step.thinkTimeMs).toBe(expectedMs);
  });

  it('expands headers and body, and adds a JSON content type to an object body', () => {
    const scenario = parseScenario({
      journeys: [{ name: 'j', steps: [{ method: 'POST', path: '/login', body: { password: '{seed:password}' } }] }],
    });
    const prepared = new Session(scenario, 1).next();
    expect(prepared).toMatchObject({
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/json' },
      body: '{"password":"loadlab-demo"}',
    });
  });
});

describe('scenario helpers', () => {
  const [ONE, TWO] = [
    { name: 'a', steps: [{ path: '/x' }] },
    { name: 'b', steps: [{ path: '/y' }] },
  ];
  it.each<[string, ScenarioInput, boolean]>([
    ['one fixed step', { journeys: [{ name: 'j', steps: [{ path: '/x' }] }] }, true],
    ['a seeded id', { journeys: [{ name: 'j', steps: [{ path: '/u/{seed:userId}' }] }] }, false],
    ['a templated header', { journeys: [{ name: 'j', steps: [{ path: '/x', headers: { a: '{var:t}' } }] }] }, false],
    ['a templated body', { journeys: [{ name: 'j', steps: [{ path: '/x', body: '{seed:password}' }] }] }, false],
    ['a capture', { journeys: [{ name: 'j', steps: [{ path: '/x', capture: { t: 'token' } }] }] }, false],
    ['two steps', { journeys: [{ name: 'j', steps: [{ path: '/x' }, { path: '/y' }] }] }, false],
    ['two journeys', { journeys: [ONE, TWO] }, false],
  ])('isStaticScenario: %s → %s', (_what, input, expected) => {
    expect(isStaticScenario(parseScenario(input))).toBe(expected);
  });

  it('lists every step of every journey and reads bodies only for capturing steps', () => {
    const scenario = parseScenario({
      journeys: [
        {
          name: 'a',
          steps: [
            { name: 'a1', path: '/a', capture: { t: 'token' } },
            { name: 'a2', path: '/b' },
          ],
        },
        { name: 'b', steps: [{ name: 'b1', path: '/c' }] },
      ],
    });
    const steps = scenarioSteps(scenario);
    expect(steps.map((s) => s.name)).toEqual(['a1', 'a2', 'b1']);
    expect(steps.map(needsBody)).toEqual([true, false, false]);
  });
});
