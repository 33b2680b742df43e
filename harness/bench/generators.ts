// The load generators the benches drive or compare with: wrk, wrk2 and the autocannon CLI as owned child processes
// (tracked, so Ctrl-C stops them with the rest), and autocannon's API in-process when wrk is not on PATH.
import autocannon, { type AutocannonRequest } from 'autocannon';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../lib/host.ts';
import { createRandom } from '../../lib/random.ts';
import { spawnOwned } from '../../services/spawn.ts';
import { track, untrack } from '../env/processes.ts';
import { EnvironmentError, GeneratorError, InternalError } from '../errors.ts';

/** Distributions put nginx (and sometimes other tools) in sbin, outside a user's PATH. */
const SBIN_FOLDERS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];
const AUTOCANNON_BIN = fileURLToPath(new URL('../../node_modules/.bin/autocannon', import.meta.url));
const TOOL_STOP_MS = 2_000;

export interface LoadSpec {
  url: string;
  connections: number;
  durationSec: number;
  /** Load GET /api/users/<id> over ids 1..randomIds instead of `url`'s own path. */
  randomIds?: number;
  /** Pin the generator to this CPU (needs taskset). */
  cpu?: number;
}

export interface Measured {
  rps: number;
  /** What the generator reported beside the rate (non-2xx answers, socket errors), if anything. */
  problems?: string;
}

/** wrk (one thread) when it is on PATH, else autocannon's API: the same one for every target of one bench. */
export type Generator = { kind: 'wrk'; wrkPath: string; scriptDir: string } | { kind: 'autocannon' };

/** The absolute path of `name` from PATH or the sbin folders, or null. */
export function findTool(name: string): Promise<string | null> {
  return findOnPath(name, process.env.PATH ?? '', SBIN_FOLDERS);
}

export function measureRate(generator: Generator, spec: LoadSpec, tasksetPath: string | null): Promise<Measured> {
  return generator.kind === 'wrk'
    ? measureWrk(generator.wrkPath, spec, tasksetPath, generator.scriptDir)
    : measureAutocannonApi(spec);
}

/** `wrk -t1`; with randomIds a Lua script (written into scriptDir) picks the ids from a fixed seed. */
export async function measureWrk(
  wrkPath: string,
  spec: LoadSpec,
  tasksetPath: string | null,
  scriptDir?: string,
): Promise<Measured> {
  const args = ['-t1', `-c${spec.connections}`, `-d${wholeSeconds(spec.durationSec)}s`];
  if (spec.randomIds) {
    if (!scriptDir) throw new InternalError('wrk with random ids needs a script folder');
    const script = join(scriptDir, 'random-ids.lua');
    await writeFile(script, renderRandomIdsScript(spec.randomIds));
    args.push('-s', script);
  }
  const { output } = await runToEnd('wrk', pinned(tasksetPath, spec.cpu, [wrkPath, ...args, spec.url]));
  const rps = parseWrkRps(output);
  if (rps === undefined) throw new GeneratorError(`wrk printed no rate: ${output}`);
  const problems = /Non-2xx or 3xx responses: \d+|Socket errors: .*/.exec(output)?.[0];
  return problems ? { rps, problems } : { rps };
}

export interface Wrk2Spec {
  url: string;
  connections: number;
  /** Whole seconds (wrk2 takes no fraction). */
  durationSec: number;
  rateRps: number;
  /** Pin wrk2 to this CPU (needs taskset). */
  cpu?: number;
}

export interface Wrk2Result {
  /** Its Requests/sec: responses ÷ its run time. */
  rps: number;
  /** Its "Recorded Latency" p50 and p99, from each request's intended send time (coordinated omission corrected). */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors (connect, read, write, timeout) and error statuses, summed. */
  errors: number;
}

/** `wrk2 -t1 -c<N> -d<D>s -R<rate> --latency URL`: one thread at a fixed rate, latency from the intended send. */
export async function measureWrk2(wrk2Path: string, spec: Wrk2Spec, tasksetPath: string | null): Promise<Wrk2Result> {
  const args = ['-t1', `-c${spec.connections}`, `-d${wholeSeconds(spec.durationSec)}s`, `-R${spec.rateRps}`];
  const { output } = await runToEnd('wrk2', pinned(tasksetPath, spec.cpu, [wrk2Path, ...args, '--latency', spec.url]));
  const result = parseWrk2(output);
  if (!result) throw new GeneratorError(`wrk2 printed no rate or p99: ${output.slice(-2_000)}`);
  return result;
}

const WRK2_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000 };

/**
 * wrk2's figures (pure): Requests/sec, the 50.000% and 99.000% lines of "Latency Distribution (HdrHistogram -
 * Recorded Latency)" (us, ms or s), the request count and the error lines; undefined when one of the first three
 * is missing.
 */
export function parseWrk2(output: string): Wrk2Result | undefined {
  const rps = parseWrkRps(output);
  const at = output.indexOf('Latency Distribution (HdrHistogram - Recorded Latency)');
  const recorded = at < 0 ? '' : output.slice(at);
  const percentileMs = (label: string): number | undefined => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(recorded);
    return match ? Number(match[1]) * WRK2_UNIT_MS[match[2]!]! : undefined;
  };
  const p50Ms = percentileMs('50\\.000');
  const p99Ms = percentileMs('99\\.000');
  if (rps === undefined || p50Ms === undefined || p99Ms === undefined) return undefined;
  const requests = Number(/(\d+) requests in /.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const statusErrors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  return { rps, p50Ms, p99Ms, requests, errors: socketErrors + statusErrors };
}

/** The autocannon CLI in its own process, as a user would run it: total requests ÷ its duration. */
export async function measureAutocannonCli(spec: LoadSpec, tasksetPath: string | null): Promise<Measured> {
  const args = ['-c', String(spec.connections), '-d', String(wholeSeconds(spec.durationSec)), '-j', spec.url];
  const { output } = await runToEnd('autocannon', pinned(tasksetPath, spec.cpu, [AUTOCANNON_BIN, ...args]));
  const json = output.split('\n').find((line) => line.startsWith('{'));
  if (!json) throw new GeneratorError(`autocannon printed no JSON: ${output}`);
  const result = JSON.parse(json) as {
    requests: { total: number };
    duration: number;
    non2xx?: number;
    errors?: number;
  };
  const rps = result.requests.total / result.duration;
  return result.non2xx || result.errors
    ? { rps, problems: `${result.non2xx ?? 0} non-2xx, ${result.errors ?? 0} errors` }
    : { rps };
}

/** autocannon's API in this process (wrk missing): its mean of per-second request counts. */
export async function measureAutocannonApi(spec: LoadSpec): Promise<Measured> {
  const random = createRandom(1);
  const ids = spec.randomIds;
  const requests: AutocannonRequest[] | undefined = ids
    ? [{ setupRequest: (req) => ({ ...req, path: `/api/users/${1 + Math.floor(random() * ids)}` }) }]
    : undefined;
  const options = { url: spec.url, connections: spec.connections, duration: spec.durationSec, requests };
  const result = (await autocannon(options)) as { requests: { average: number }; non2xx: number; errors: number };
  const { non2xx, errors } = result;
  const rps = result.requests.average;
  return non2xx > 0 || errors > 0 ? { rps, problems: `${non2xx} non-2xx, ${errors} errors` } : { rps };
}

/** wrk's "Requests/sec:" figure (pure). */
export function parseWrkRps(output: string): number | undefined {
  const match = /Requests\/sec:\s+([\d.]+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

/** wrk's Lua PRNG picks the ids: loadlab's own cannot run inside wrk, but a fixed seed keeps runs alike. */
export function renderRandomIdsScript(idCount: number): string {
  return [
    'math.randomseed(1)',
    'request = function()',
    `  return wrk.format(nil, "/api/users/" .. math.random(1, ${idCount}))`,
    'end',
    '',
  ].join('\n');
}

/** `taskset -c CPU command…` when both are given, else the command unchanged. */
export function pinned(tasksetPath: string | null, cpu: number | undefined, command: string[]): string[] {
  return tasksetPath && cpu !== undefined ? [tasksetPath, '-c', String(cpu), ...command] : command;
}

/** Runs a short-lived tool to its end through the spawn primitive; tracked meanwhile, so Ctrl-C stops it too. */
export async function runToEnd(name: string, command: string[]): Promise<{ code: number | null; output: string }> {
  const [file, ...args] = command;
  const owned = spawnOwned(file!, args);
  const entry = {
    stop: async () => void (await owned.stop('SIGTERM', TOOL_STOP_MS)),
    killNow: () => owned.killGroup('SIGKILL'),
  };
  track(entry);
  try {
    const [code] = await owned.exit;
    const output = owned.lines().join('\n');
    // The tool is there (found on PATH) but this machine cannot run it as asked: an environment problem.
    if (owned.spawnError()) throw new EnvironmentError(`${name} could not run: ${owned.spawnError()!.message}`);
    if (code !== 0) throw new EnvironmentError(`${name} exited with ${code}: ${output.slice(-2_000)}`);
    return { code, output };
  } finally {
    untrack(entry);
  }
}

/** wrk, wrk2 and the autocannon CLI take whole seconds. */
export function wholeSeconds(durationSec: number): number {
  return Math.max(1, Math.round(durationSec));
}
