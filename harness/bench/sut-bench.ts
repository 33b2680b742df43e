// Shared pieces of the SUT benchmarks: start a server process, load it with one generator
// (wrk with one thread when on PATH, else autocannon), stop it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadOptions {
  durationSec: number;
  connections: number;
}

export interface Target {
  name: string;
  url: string;
  randomIds?: number; // path suffix /<1..n>
  goal?: number; // minimum ratio to bare
}

/** Starts a child and resolves with the URL it prints as "listening on <url>". */
export async function startListening(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited ${code} before listening`)));
  });
  return { child, url };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

export async function measureWrk(target: Target, opts: LoadOptions, dir: string): Promise<number> {
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.durationSec}s`];
  if (target.randomIds) {
    const script = join(dir, 'random-ids.lua');
    writeFileSync(script, `math.randomseed(1)\nrequest = function()\n  return wrk.format(nil, "/api/users/" .. math.random(1, ${target.randomIds}))\nend\n`);
    args.push('-s', script);
  }
  const result = spawnSync('wrk', [...args, target.url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: .*/.exec(result.stdout);
  if (!m) throw new Error(`wrk printed no rate: ${result.stdout}${result.stderr}`);
  if (errors) process.stderr.write(`  wrk reported: ${errors[0]}\n`);
  return Number(m[1]);
}

export async function measureAutocannon(target: Target, opts: LoadOptions): Promise<number> {
  let seed = 1;
  const nextId = () => ((seed = (seed * 48271) % 2147483647) % target.randomIds!) + 1;
  const result = await autocannon({
    url: target.url,
    connections: opts.connections,
    duration: opts.durationSec,
    requests: target.randomIds ? [{ setupRequest: (req: any) => ({ ...req, path: `/api/users/${nextId()}` }) }] : undefined,
  });
  if (result.non2xx > 0 || result.errors > 0) process.stderr.write(`  autocannon reported ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  return result.requests.average;
}

/** req/s of one target with the chosen generator. */
export function measure(generator: 'wrk' | 'autocannon', target: Target, opts: LoadOptions, dir: string): Promise<number> {
  return generator === 'wrk' ? measureWrk(target, opts, dir) : measureAutocannon(target, opts);
}

export const SUT_MAIN = new URL('../../sut/main.ts', import.meta.url).pathname;
