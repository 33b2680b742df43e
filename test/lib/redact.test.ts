// lib/redact.ts: which names hold secrets, and how URLs, headers, environment records and free text lose theirs.
import { describe, expect, it } from 'vitest';
import {
  isSecretName,
  redactDeep,
  redactEnv,
  redactHeaders,
  redactText,
  redactUrl,
  rememberSecret,
  rememberSecretValues,
  rememberUrlSecrets,
} from '../../lib/redact.ts';

describe('isSecretName', () => {
  it.each([
    'authorization',
    'Proxy-Authorization',
    'Cookie',
    'set-cookie',
    'AUTH_SECRET',
    'GITHUB_TOKEN',
    'DB_PASSWORD',
    'REDIS_PASS',
    'PGPASSWORD',
    'x-api-key',
    'SIGNING_KEY',
  ])('%s holds a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each(['LATENCY', 'WORKERS', 'x-trace', 'content-type', 'CACHE_TTL_MS'])('%s does not', (name) =>
    expect(isSecretName(name)).toBe(false),
  );
});

describe('redactUrl', () => {
  it.each([
    ['redis://:s3cret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['postgres://user:s3cret@db:5432/x', 'postgres://user:***@db:5432/x'],
    ['postgres://user@db/x', 'postgres://user@db/x'],
    ['postgres://db/x?password=s3cret&sslmode=require', 'postgres://db/x?password=***&sslmode=require'],
    ['http://127.0.0.1:3000/metrics', 'http://127.0.0.1:3000/metrics'],
    ['not a url', '<unparseable URL>'],
  ])('%s → %s', (url, expected) => expect(redactUrl(url)).toBe(expected));
});

describe('redactHeaders and redactEnv', () => {
  it('hide secret-named values and keep the names and the rest', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc', cookie: 'sid=1', 'x-trace': 'abc', 'x-api-key': 'k' })).toEqual(
      { Authorization: '***', cookie: '***', 'x-trace': 'abc', 'x-api-key': '***' },
    );
    expect(redactEnv({ AUTH_SECRET: 'x', DB_PASSWORD: 'y', LATENCY: 'fixed:5' })).toEqual({
      AUTH_SECRET: '***',
      DB_PASSWORD: '***',
      LATENCY: 'fixed:5',
    });
  });

  it('keep a header that only names a captured value ({var:token})', () => {
    expect(redactHeaders({ authorization: 'Bearer {var:token}' })).toEqual({ authorization: 'Bearer {var:token}' });
  });
});

describe('redactText', () => {
  it.each([
    ['cannot reach redis://:pw1@127.0.0.1:1 now', 'cannot reach redis://:***@127.0.0.1:1 now'],
    ['DATABASE_URL=postgres://u:pw2@db/x', 'DATABASE_URL=postgres://u:***@db/x'],
    ['Authorization: Bearer abc', 'Authorization: ***'],
    ['{"cookie": "sid=abc", "x": 1}', '{"cookie": "***", "x": 1}'],
    ['authorization: Bearer {var:token}', 'authorization: Bearer {var:token}'],
    ['env AUTH_SECRET=abc LATENCY=fixed:5', 'env AUTH_SECRET=*** LATENCY=fixed:5'],
    ['http://127.0.0.1:8080/x and user@example.test', 'http://127.0.0.1:8080/x and user@example.test'],
    ['p99 4.1 ms, GET /api/users/:id', 'p99 4.1 ms, GET /api/users/:id'],
  ])('%s → %s', (text, expected) => expect(redactText(text)).toBe(expected));

  it('hides every remembered value, wherever it appears; short values are not searched for', () => {
    rememberSecret('remembered-value-1');
    rememberSecret('abc');
    rememberSecretValues({ Authorization: 'Bearer header-token-2', LATENCY: 'fixed:5-not-secret' });
    rememberUrlSecrets('redis://:url-pass-3@127.0.0.1:1');
    const text = 'a remembered-value-1 b header-token-2 c url-pass-3 d abc e fixed:5-not-secret';
    expect(redactText(text)).toBe('a *** b *** c *** d abc e fixed:5-not-secret');
  });
});

describe('redactDeep', () => {
  it('redacts every string of a JSON value and leaves numbers, keys and structure alone', () => {
    const value = { key: 'level0', n: 4.1, list: ['redis://:pw@h:1', null, true], nested: { detail: 'TOKEN=abc' } };
    expect(redactDeep(value)).toEqual({
      key: 'level0',
      n: 4.1,
      list: ['redis://:***@h:1', null, true],
      nested: { detail: 'TOKEN=***' },
    });
  });
});
