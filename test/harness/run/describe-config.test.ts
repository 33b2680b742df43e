import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../../harness/run/args.ts';
import { createRunConfig, describeConfig, RUN_OPTIONS } from '../../../harness/run/config.ts';

const configOf = (...argv: string[]) =>
  createRunConfig(parseOptions(['--target', 'http://127.0.0.1:1', '--rate', '5', ...argv], RUN_OPTIONS));

describe('describeConfig (the effective config written into run.json)', () => {
  it('redacts secret headers and keeps the rest as given', () => {
    const described = describeConfig(
      configOf('--header', 'Authorization: Bearer s3cr3t-token', '--header', 'x-trace: abc', '--threshold', 'p99<5'),
    );
    const step = (described.scenario as { journeys: { steps: { headers: Record<string, string> }[] }[] }).journeys[0]!
      .steps[0]!;
    expect(step.headers).toEqual({ Authorization: '***', 'x-trace': 'abc' });
    expect(JSON.stringify(described)).not.toContain('s3cr3t');
    expect(described.thresholds).toEqual(['p99<5']);
  });

  it('hides the password of a /metrics or /ready URL', () => {
    const described = describeConfig(
      configOf(
        '--metrics-url',
        'http://u:hunter2@127.0.0.1:1/metrics',
        '--ready-url',
        'http://u:pw2@127.0.0.1:1/ready',
      ),
    );
    expect(described.metricsUrl).toBe('http://u:***@127.0.0.1:1/metrics');
    expect(described.readyUrl).toBe('http://u:***@127.0.0.1:1/ready');
    expect(JSON.stringify(described)).not.toMatch(/hunter2|pw2/);
  });

  it('keeps a header that only names a captured value ({var:token})', () => {
    const described = describeConfig(configOf('--header', 'authorization: Bearer {var:token}'));
    expect(JSON.stringify(described)).toContain('Bearer {var:token}');
  });
});
