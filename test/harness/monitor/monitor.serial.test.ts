// The monitor on a real SUT (a cluster of 2 workers, as Level 2 deploys it) through a rolling reload under load:
// no CPU figure is ever negative, the replaced workers' series end and their successors' begin.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { describePids, startDeployment, type StartedDeployment } from '../../../harness/env/deploy.ts';
import { stopAll, trackedCount } from '../../../harness/env/processes.ts';
import { Monitor, type MonitorSample } from '../../../harness/monitor/monitor.ts';
import { startStream } from '../../support/stream.ts';

let monitor: Monitor | undefined;
afterEach(async () => {
  monitor?.stop();
  await stopAll();
  expect(trackedCount()).toBe(0);
});

const workersIn = (s: MonitorSample) =>
  (s.processes ?? []).filter((p) => p.name.startsWith('sut-worker:')).map((p) => p.pid);

describe('Monitor on a real SUT', () => {
  it('samples each worker by pid through a rolling reload: never a negative CPU figure, old series end, new ones begin', async () => {
    const dep: StartedDeployment = await startDeployment(
      {
        databaseUrl: inject('databaseUrl'),
        redisUrl: inject('redisUrl') || undefined,
        adminToken: 'monitor-test-token',
        sutEnv: {},
        lb: 'nginx',
      },
      { workers: 2, needRedis: false },
    );
    const sut = dep.suts[0]!;
    expect(dep.processes).toEqual([
      { name: 'sut-primary', pid: sut.pid, group: 'sut', children: 'sut-worker' },
      { name: 'postgres' }, // the test database is given by URL: loadlab did not start it
    ]);
    expect(describePids(dep)).toBe(` (pids ${sut.pid})`); // the start-up line's format, read by the level tests
    monitor = new Monitor({ processes: dep.processes, metricsUrl: dep.metricsUrl, readyUrl: dep.readyUrl });
    const m = monitor;
    const oldWorkers = sut.workerPids();
    expect(oldWorkers).toHaveLength(2);

    const stream = startStream(sut.url, 200, (n) => `/api/users/${1 + (n % 1000)}`);
    await stream.reached(50);
    m.beginPhase();
    const samples: MonitorSample[] = [];
    const take = async () => {
      const s = await m.sample();
      samples.push(s);
      return s;
    };
    const before = await take();
    // Sampled every 200 ms while the primary replaces its workers one by one.
    const pending = new Set<Promise<unknown>>();
    const timer = setInterval(() => {
      const p = take().finally(() => pending.delete(p));
      pending.add(p);
    }, 200);
    try {
      await sut.reload();
    } finally {
      clearInterval(timer);
      await Promise.all(pending);
    }
    const after = await take();
    const last = await take();
    await stream.stop(); // (a reload's own losses are sut.serial.test.ts's subject, not the monitor's)
    const newWorkers = sut.workerPids();
    expect(newWorkers.filter((pid) => oldWorkers.includes(pid))).toEqual([]);

    expect(samples.length).toBeGreaterThan(4);
    for (const s of samples) {
      expect(s.sutCpuPct, JSON.stringify(s)).toBeGreaterThanOrEqual(0);
      for (const p of s.processes ?? []) if (p.cpuPct !== undefined) expect(p.cpuPct, p.name).toBeGreaterThanOrEqual(0);
      for (const [group, g] of Object.entries(s.groups ?? {}))
        if (g.cpuPct !== undefined) expect(g.cpuPct, group).toBeGreaterThanOrEqual(0);
      if (s.machineCpuPct !== undefined) expect(s.machineCpuPct).toBeLessThanOrEqual(100);
    }
    // The old workers' series end: present before the reload, in no sample after it; the new ones begin.
    expect(workersIn(before).sort()).toEqual([...oldWorkers].sort());
    expect(workersIn(after).sort()).toEqual([...newWorkers].sort());
    expect(workersIn(last).sort()).toEqual([...newWorkers].sort());
    const firstWith = (pid: number) => samples.findIndex((s) => workersIn(s).includes(pid));
    const lastWith = (pid: number) => samples.map((s) => workersIn(s).includes(pid)).lastIndexOf(true);
    for (const pid of oldWorkers) expect(lastWith(pid)).toBeLessThan(samples.indexOf(after));
    for (const pid of newWorkers) expect(firstWith(pid)).toBeGreaterThan(0);
    // Each new worker has CPU figures of its own by the last sample (two readings of the same process).
    for (const pid of newWorkers)
      expect(last.processes!.find((p) => p.pid === pid)?.cpuPct, String(pid)).toBeGreaterThanOrEqual(0);
    // The SUT's /metrics figures arrive, and every probe is counted.
    expect(last.metricsOk).toBe(true);
    expect(last.dbPoolTotal).toBeGreaterThan(0);
    expect(last.sutEventLoopP99Ms).toBeGreaterThanOrEqual(0);
    const probes = m.probeCounts();
    expect(probes.requests).toBe(2 * samples.length);
    const answered = Object.values(probes.byStatus).reduce((a, b) => a + b, 0);
    expect(answered + Object.values(probes.byError ?? {}).reduce((a, b) => a + b, 0)).toBe(probes.requests);

    const { resources } = m.endPhase();
    const reported = resources.processes!.filter((p) => p.name.startsWith('sut-worker:')).map((p) => p.pid);
    expect(reported).toEqual(expect.arrayContaining([...oldWorkers, ...newWorkers]));
    for (const p of resources.processes!) expect(p.cpuPctMax).toBeGreaterThanOrEqual(p.cpuPctMean);
    expect(resources.monitor).toMatchObject({ samples: samples.length, notSampled: ['postgres'] });
  }, 120_000);
});
