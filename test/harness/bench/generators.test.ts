// The pure edges of the benches' generators and targets: wrk's and wrk2's output, wrk's Lua script, taskset,
// nginx's config.
import { describe, expect, it } from 'vitest';
import { parseWrk2, parseWrkRps, pinned, renderRandomIdsScript } from '../../../harness/bench/generators.ts';
import { renderHelloNginxConfig } from '../../../harness/bench/targets.ts';

describe('parseWrkRps', () => {
  it('reads the Requests/sec line', () => {
    const output =
      'Running 1s test @ http://127.0.0.1:8080\n  1 threads and 4 connections\nRequests/sec:  41874.12\nTransfer/sec: 6.1MB';
    expect(parseWrkRps(output)).toBe(41874.12);
  });

  it('is undefined when wrk printed no rate', () => expect(parseWrkRps('unable to connect')).toBeUndefined());
});

/**
 * Real output of `wrk2 -t1 -c50 -d3s -R2000 --latency` (giltene/wrk2, 4.0.0) against nginx on this 2-core shared
 * machine while it was loaded, with most of the detailed percentile spectrum cut out.
 */
const WRK2_OUTPUT = [
  'Running 3s test @ http://127.0.0.1:18765/',
  '  1 threads and 50 connections',
  '  Thread Stats   Avg      Stdev     Max   +/- Stdev',
  '    Latency     4.51ms    8.87ms  84.99ms   91.98%',
  '    Req/Sec       -nan      -nan   0.00      0.00%',
  '  Latency Distribution (HdrHistogram - Recorded Latency)',
  ' 50.000%    1.44ms',
  ' 75.000%    4.07ms',
  ' 90.000%   10.02ms',
  ' 99.000%   47.90ms',
  ' 99.900%   75.97ms',
  ' 99.990%   82.05ms',
  ' 99.999%   85.06ms',
  '100.000%   85.06ms',
  '',
  '  Detailed Percentile spectrum:',
  '       Value   Percentile   TotalCount 1/(1-Percentile)',
  '',
  '       0.445     0.100000          576         1.11',
  '      85.055     0.999829         5746      5851.43',
  '      85.055     1.000000         5746          inf',
  '#[Mean    =        4.508, StdDeviation   =        8.869]',
  '#[Max     =       84.992, Total count    =         5746]',
  '#[Buckets =           27, SubBuckets     =         2048]',
  '----------------------------------------------------------',
  '  5748 requests in 3.00s, 0.88MB read',
  'Requests/sec:   1913.39',
  'Transfer/sec:    298.97KB',
  '',
].join('\n');

describe('parseWrk2', () => {
  it('reads the rate, the Recorded Latency p50 and p99, the request count and no errors from real output', () =>
    expect(parseWrk2(WRK2_OUTPUT)).toEqual({ rps: 1913.39, p50Ms: 1.44, p99Ms: 47.9, requests: 5748, errors: 0 }));

  // wrk2 prints each percentile in us, ms or s (the 0.85 × 1000 step of its units.c).
  it.each([
    ['  512.00us', 0.512],
    ['    1.27ms', 1.27],
    ['    1.25s', 1250],
  ])('reads a p99 of %s as %d ms', (value, ms) =>
    expect(parseWrk2(WRK2_OUTPUT.replace(' 99.000%   47.90ms', ` 99.000%${value}`))?.p99Ms).toBeCloseTo(ms, 9),
  );

  it('takes the p99 of the Recorded, not the Uncorrected, distribution (-U prints both)', () => {
    const uncorrected =
      '  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without …))\n 99.000%    0.90ms\n';
    const output = WRK2_OUTPUT.replace('  5748 requests', `${uncorrected}  5748 requests`);
    expect(parseWrk2(output)?.p99Ms).toBe(47.9);
    expect(parseWrk2(uncorrected + output)?.p99Ms).toBe(47.9);
  });

  it('sums socket errors and error statuses', () => {
    const errors =
      '  Socket errors: connect 0, read 2, write 1, timeout 4\n  Non-2xx or 3xx responses: 5\nRequests/sec:';
    expect(parseWrk2(WRK2_OUTPUT.replace('Requests/sec:', errors))?.errors).toBe(12);
  });

  it.each([
    ['without a rate', WRK2_OUTPUT.replace('Requests/sec:   1913.39', '')],
    ['without a p50', WRK2_OUTPUT.replace(' 50.000%    1.44ms', '')],
    [
      'without the Recorded Latency distribution (no --latency)',
      WRK2_OUTPUT.replace(/ {2}Latency Distribution.*\n/, ''),
    ],
    ['when it could not connect', 'unable to connect to 127.0.0.1:1 Connection refused'],
  ])('is undefined %s', (_label, output) => expect(parseWrk2(output)).toBeUndefined());
});

describe('renderRandomIdsScript', () => {
  it("seeds wrk's PRNG and spreads GETs over ids 1..n", () => {
    const script = renderRandomIdsScript(1000);
    expect(script).toContain('math.randomseed(1)');
    expect(script).toContain('wrk.format(nil, "/api/users/" .. math.random(1, 1000))');
  });
});

describe('pinned', () => {
  it.each([
    ['/usr/bin/taskset', 1, ['wrk', '-t1'], ['/usr/bin/taskset', '-c', '1', 'wrk', '-t1']],
    [null, 1, ['wrk', '-t1'], ['wrk', '-t1']],
    ['/usr/bin/taskset', undefined, ['wrk', '-t1'], ['wrk', '-t1']],
  ])('taskset %s, cpu %s', (taskset, cpu, command, expected) =>
    expect(pinned(taskset, cpu, command)).toEqual(expected),
  );
});

describe('renderHelloNginxConfig', () => {
  it('listens on loopback at the port, keeps its files in the folder and answers from memory', () => {
    const config = renderHelloNginxConfig('/tmp/x', 8123);
    expect(config).toContain('listen 127.0.0.1:8123;');
    expect(config).toContain('pid /tmp/x/nginx.pid;');
    expect(config).toContain('client_body_temp_path /tmp/x;');
    expect(config).toContain('return 200 "hello world\\n";');
    expect(config).toContain('worker_processes 1; daemon off;');
  });
});
