// The pure edges of the benches' generators and targets: wrk's output, its Lua script, taskset, nginx's config.
import { describe, expect, it } from 'vitest';
import { parseWrkRps, pinned, renderRandomIdsScript } from '../../../harness/bench/generators.ts';
import { renderHelloNginxConfig } from '../../../harness/bench/targets.ts';

describe('parseWrkRps', () => {
  it('reads the Requests/sec line', () => {
    const output =
      'Running 1s test @ http://127.0.0.1:8080\n  1 threads and 4 connections\nRequests/sec:  41874.12\nTransfer/sec: 6.1MB';
    expect(parseWrkRps(output)).toBe(41874.12);
  });

  it('is undefined when wrk printed no rate', () => expect(parseWrkRps('unable to connect')).toBeUndefined());
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
