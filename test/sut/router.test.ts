// FixedPathFirstRouter answers exactly what Hono's TrieRouter answers, for every method and path in a table.
import type { Result } from 'hono/router';
import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { FixedPathFirstRouter } from '../../sut/router.ts';

const ROUTES: [string, string][] = [
  ['ALL', '/*'],
  ['GET', '/health'],
  ['GET', '/api/users'],
  ['GET', '/api/users/search'],
  ['GET', '/api/users/:id'],
  ['PUT', '/api/users/:id'],
  ['POST', '/api/users'],
  ['POST', '/api/users'],
  ['POST', '/api/teams/:id/members'],
  ['ALL', '/fixed-for-all'],
];
const PATHS = [
  '/health',
  '/health/',
  '/api/users',
  '/api/users/',
  '/api/users/search',
  '/api/users/7',
  '/api/users/7/x',
  '/api/teams/3/members',
  '/fixed-for-all',
  '/nope',
];

/** Handlers with their decoded parameters, whichever result form the router gives. */
function plain(result: Result<string>): [string, Record<string, string>][] {
  const [matches, stash] = result as [[string, Record<string, string | number>][], string[] | undefined];
  return matches.map(([handler, params]) => [
    handler,
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, stash ? stash[v as number]! : String(v)])),
  ]);
}

describe('FixedPathFirstRouter', () => {
  const fast = new FixedPathFirstRouter<string>();
  const trie = new TrieRouter<string>();
  ROUTES.forEach(([method, path], i) => {
    fast.add(method, path, `${i} ${method} ${path}`);
    trie.add(method, path, `${i} ${method} ${path}`);
  });

  it.each(['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].flatMap((m) => PATHS.map((p) => [m, p] as const)))(
    '%s %s matches as the trie does',
    (method, path) => {
      expect(plain(fast.match(method, path))).toEqual(plain(trie.match(method, path)));
    },
  );

  it('takes no route after its first match', () => {
    expect(() => fast.add('GET', '/late', 'late')).toThrow(/after the first match/);
  });
});
