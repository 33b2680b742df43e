// Template placeholders: each token's exact expansion (with a stubbed random), detection, route patterns, JSON paths.
import { describe, expect, it } from 'vitest';
import {
  expandTemplate,
  hasPlaceholders,
  readPath,
  routePattern,
  SEED_TOKEN_NAMES,
  unknownSeedTokens,
  type TemplateContext,
} from '../../../harness/scenario/template.ts';

/** The largest value below 1 a random() can return: draws land on the top of each range. */
const TOP = 1 - 2 ** -53;

function contextWith(randomValue: number, vars: Record<string, string> = {}, seq = 7): TemplateContext {
  return { random: () => randomValue, seq, vars };
}

describe('expandTemplate', () => {
  it.each([
    ['{randomInt:1:9}', 0, '1'],
    ['{randomInt:1:9}', TOP, '9'],
    ['{randomInt:1:9}', 0.5, '5'],
    ['{randomInt:-5:-5}', 0.3, '-5'],
    ['/api/users/{seed:userId}', 0, '/api/users/1'],
    ['/api/users/{seed:userId}', TOP, '/api/users/100000'],
    ['/api/teams/{seed:teamId}', 0, '/api/teams/1'],
    ['/api/teams/{seed:teamId}', TOP, '/api/teams/1000'],
    ['{seed:userEmail}', 0.5, 'user50001@example.test'],
    ['{seed:userEmail}', 0, 'user1@example.test'],
    ['{seed:password}', 0.5, 'loadlab-demo'],
    ['n{seq}', 0, 'n7'],
    ['Bearer {var:token}', 0, 'Bearer abc'],
    ['{var:missing}', 0, ''],
  ])('%s with random()=%d → %s', (template, randomValue, expected) => {
    expect(expandTemplate(template, contextWith(randomValue, { token: 'abc' }))).toBe(expected);
  });

  it.each([
    ['a JSON body with no token', '{"name":"x","n":{"a":1}}'],
    ['an unknown token', '{nope}'],
    ['an unknown seed token (load rejects it)', '{seed:userID}'],
    ['a var name that is not an identifier', '{var:1x}'],
  ])('leaves %s as it is', (_what, text) => {
    expect(expandTemplate(text, contextWith(0.5))).toBe(text);
  });

  it('expands every token of a login body, one draw per random token', () => {
    const draws = [0.25, 0.75];
    const ctx: TemplateContext = { random: () => draws.shift() ?? 0, seq: 1, vars: {} };
    const body = expandTemplate('{"email":"{seed:userEmail}","password":"{seed:password}","team":{seed:teamId}}', ctx);
    expect(body).toBe('{"email":"user25001@example.test","password":"loadlab-demo","team":751}');
    expect(draws).toEqual([]);
  });

  it('gives a fresh RFC 4122 UUID for each {uuid}', () => {
    const [a, b] = expandTemplate('{uuid} {uuid}', contextWith(0)).split(' ');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });
});

describe('hasPlaceholders', () => {
  it.each([
    ['/api/users/1', false],
    ['{"a":{"b":1}}', false],
    ['{seed:nope}', false],
    ['/api/users/{randomInt:1:10}', true],
    ['/api/users/{seed:userId}', true],
    ['{seed:password}', true],
    ['Bearer {var:token}', true],
    ['{seq}', true],
    ['{uuid}', true],
  ])('%s → %s', (text, expected) => {
    expect(hasPlaceholders(text)).toBe(expected);
  });

  it('gives the same answer when called twice on the same text (the global regex is reset)', () => {
    expect([hasPlaceholders('{seq}'), hasPlaceholders('{seq}')]).toEqual([true, true]);
  });
});

describe('seed tokens', () => {
  it('are exactly the four documented ones', () => {
    expect(SEED_TOKEN_NAMES).toEqual(['userId', 'teamId', 'userEmail', 'password']);
  });

  it.each([
    ['/api/users/{seed:userId}', []],
    ['{"e":"{seed:userEmail}","p":"{seed:password}"}', []],
    ['/api/users/{seed:userID}', ['{seed:userID}']],
    ['{seed:} and {seed:teams}', ['{seed:}', '{seed:teams}']],
    ['{var:seed}', []],
  ])('unknownSeedTokens(%s) → %j', (text, expected) => {
    expect(unknownSeedTokens(text)).toEqual(expected);
  });
});

describe('routePattern', () => {
  it.each([
    ['GET', '/api/users/{seed:userId}', 'GET /api/users/:param'],
    ['GET', '/api/users/{randomInt:1:9}?fields=id', 'GET /api/users/:param'],
    ['PUT', '/api/teams/{var:teamId}/members', 'PUT /api/teams/:param/members'],
    ['GET', '/health', 'GET /health'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(routePattern(method, path)).toBe(expected);
  });
});

describe('readPath', () => {
  const json = { token: 't', userId: 42, data: { items: [{ id: 7 }] }, none: null };
  it.each([
    ['token', 't'],
    ['userId', 42],
    ['data.items.0.id', 7],
    ['data.items.1.id', undefined],
    ['none', null],
    ['none.deeper', undefined],
    ['token.length', undefined],
  ])('%s → %j', (path, expected) => {
    expect(readPath(json, path)).toEqual(expected);
  });
});
