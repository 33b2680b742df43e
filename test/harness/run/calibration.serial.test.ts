// The machine's reference figures: identity from node:os, a real calibration against the bare node:http server whose
// process is gone afterwards, and the pure ratio and same-machine rules (serial: it starts a server and times load).
import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { trackedCount } from '../../../harness/env/processes.ts';
import {
  calibrationRatio,
  CPU_CHECKSUM,
  CPU_ITERATIONS,
  cpuWorkload,
  machineIdentity,
  measureCalibration,
  sameMachine,
  type Calibration,
  type MachineIdentity,
} from '../../../harness/run/calibration.ts';
import { processGone } from '../../support/process.ts';

/** Pids of the bare servers measureCalibration starts, seen through a pass-through wrapper. */
const serverPids = vi.hoisted(() => [] as number[]);
vi.mock('../../../harness/bench/targets.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../harness/bench/targets.ts')>();
  return {
    ...actual,
    startBareJsonServer: async (...args: Parameters<typeof actual.startBareJsonServer>) => {
      const target = await actual.startBareJsonServer(...args);
      serverPids.push(target.pid);
      return target;
    },
  };
});

const machine: MachineIdentity = {
  cpuModel: 'Test CPU',
  cores: 8,
  memoryMb: 16_000,
  kernel: '6.1.0',
  os: 'Linux 6.1.0 x64',
  node: 'v20.0.0',
};

const calibration = (httpRps: number): Calibration => ({
  machine,
  httpRps,
  cpuMs: 30,
  durationSec: 2,
  connections: 8,
});

describe('machineIdentity', () => {
  it('describes this machine from node:os', () => {
    const m = machineIdentity();
    expect(m.cpuModel).not.toBe('');
    expect(m.cpuModel).toBe(m.cpuModel.trim());
    expect(m.cores).toBe(availableParallelism());
    expect(m.memoryMb).toBeGreaterThan(0);
    expect(Number.isInteger(m.memoryMb)).toBe(true);
    expect(m.kernel).not.toBe('');
    expect(m.os).toContain(m.kernel);
    expect(m.node).toBe(process.version);
  });
});

describe('the CPU workload', () => {
  it('is deterministic', () => {
    expect(cpuWorkload(CPU_ITERATIONS)).toBe(CPU_CHECKSUM);
    expect(cpuWorkload(1_000)).toBe(cpuWorkload(1_000));
  });
});

describe('measureCalibration', () => {
  it('measures both reference figures and stops the bare server it started', async () => {
    const c = await measureCalibration({ durationSec: 1 });
    expect(c.machine).toEqual(machineIdentity());
    expect(c.durationSec).toBe(1);
    expect(c.connections).toBe(8);
    expect(Number.isInteger(c.httpRps)).toBe(true);
    expect(c.httpRps).toBeGreaterThan(100);
    expect(c.cpuMs).toBeGreaterThan(0);
    expect(c.cpuMs).toBe(Math.round(c.cpuMs * 1000) / 1000);
    expect(serverPids).toHaveLength(1);
    expect(processGone(serverPids[0]!)).toBe(true);
    expect(trackedCount()).toBe(0);
  });
});

describe('calibrationRatio', () => {
  it('is how many times faster b is than a', () => {
    expect(calibrationRatio(calibration(1000), calibration(2000))).toBe(2);
    expect(calibrationRatio(calibration(2000), calibration(1000))).toBe(0.5);
  });
});

describe('sameMachine', () => {
  it('is true for identical identities and false when the cores differ', () => {
    expect(sameMachine(machine, { ...machine })).toBe(true);
    expect(sameMachine(machine, { ...machine, cores: 4 })).toBe(false);
  });

  it('ignores the os string and the Node version, but not the kernel, memory or CPU model', () => {
    expect(sameMachine(machine, { ...machine, node: 'v22.0.0', os: 'Linux 6.1.0 arm64' })).toBe(true);
    expect(sameMachine(machine, { ...machine, kernel: '6.2.0' })).toBe(false);
    expect(sameMachine(machine, { ...machine, memoryMb: 8_000 })).toBe(false);
    expect(sameMachine(machine, { ...machine, cpuModel: 'Other CPU' })).toBe(false);
  });
});
