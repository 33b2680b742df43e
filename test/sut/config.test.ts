// SUT config: defaults, frozen result, and every bad variable named with what it accepts.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../sut/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('has usable defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dbPoolMax: 10,
      cacheEnabled: true,
      cacheMax: 10_000,
      cacheTtlMs: 60_000,
      latency: { kind: 'none' },
      latencySeed: 1,
      databaseUrl: undefined,
      adminToken: undefined,
      cacheMaxBytes: 64 * 1024 * 1024,
      maxInFlight: 0,
      rateLimitRps: 0,
    });
    expect(config.workers).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      NODE_ID: 'n2',
      WORKERS: '3',
      DATABASE_URL: 'postgres://u@h:5432/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DB_POOL_MAX: '4',
      CACHE: 'off',
      CACHE_MAX: '5',
      CACHE_TTL_MS: '100',
      LATENCY: 'uniform:20-80',
      LATENCY_SEED: '9',
      ADMIN_TOKEN: 'secret-admin',
      BODY_LIMIT_BYTES: '1024',
      LOG_LEVEL: 'debug',
      CACHE_MAX_BYTES: '4096',
      MAX_IN_FLIGHT: '64',
      RATE_LIMIT_RPS: '100',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      nodeId: 'n2',
      workers: 3,
      databaseUrl: 'postgres://u@h:5432/db',
      redisUrl: 'redis://127.0.0.1:6379',
      dbPoolMax: 4,
      cacheEnabled: false,
      cacheMax: 5,
      cacheTtlMs: 100,
      latency: { kind: 'uniform', minMs: 20, maxMs: 80 },
      latencySeed: 9,
      adminToken: 'secret-admin',
      bodyLimitBytes: 1024,
      logLevel: 'debug',
      cacheMaxBytes: 4096,
      maxInFlight: 64,
      rateLimitRps: 100,
    });
  });

  it.each([
    ['PORT', '70000', /^PORT="70000": expected a whole number from 0 to 65535$/],
    ['PORT', 'abc', /^PORT="abc": expected a whole number/],
    ['WORKERS', '0', /^WORKERS="0": expected a whole number from 1 to 256$/],
    ['DB_POOL_MAX', '-1', /^DB_POOL_MAX="-1": expected a whole number/],
    ['CACHE', 'maybe', /^CACHE="maybe": expected one of on, off$/],
    ['CACHE_TTL_MS', '1.5', /^CACHE_TTL_MS="1.5": expected a whole number/],
    ['CACHE_MAX_BYTES', '10', /^CACHE_MAX_BYTES="10": expected a whole number from 1024 to/],
    ['MAX_IN_FLIGHT', '-3', /^MAX_IN_FLIGHT="-3": expected a whole number from 0 to 1000000$/],
    ['RATE_LIMIT_RPS', 'fast', /^RATE_LIMIT_RPS="fast": expected a whole number/],
    ['LATENCY', 'slow', /^LATENCY="slow": expected none, fixed:<ms>/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\/$/],
    ['REDIS_URL', 'nope', /^REDIS_URL: expected a URL starting with redis:\/\//],
    ['NODE_ID', 'a b', /^NODE_ID="a b": expected 1-64 letters/],
    ['AUTH_SECRET', 'short', /^AUTH_SECRET="short": expected at least 16 characters$/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL="loud": expected one of silent, error, warn, info, debug$/],
  ])('%s=%s is named with what it accepts', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: 'x', CACHE: 'y', LATENCY: 'z' })).toHaveLength(3);
  });
});
