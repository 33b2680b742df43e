// bench:overhead — the SUT's framework and cache overhead as ratios to a bare node:http server,
// measured in one invocation with one generator (wrk when on PATH, else autocannon).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface OverheadOptions {
  durationSec: number;
  connections: number;
  warmIds: number;
  databaseUrl?: string;
}

interface Target {
  name: string;
  url: string;
  randomIds?: number; // path suffix /<1..n>
  goal?: number; // minimum ratio to bare
}

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const body = JSON.stringify({ status: 'ok', timestamp: new Date().toISOString() });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Starts a child and resolves with the URL it prints as "listening on <url>". */
async function startListening(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

async function measureWrk(target: Target, opts: OverheadOptions, dir: string): Promise<number> {
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

async function measureAutocannon(target: Target, opts: OverheadOptions): Promise<number> {
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

export async function runOverheadBench(opts: OverheadOptions): Promise<number> {
  const generator = hasWrk() ? 'wrk (1 thread)' : 'autocannon';
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-overhead-'));
  const children: ChildProcess[] = [];
  try {
    const bare = await startListening(process.execPath, ['-e', BARE_SERVER], process.env);
    children.push(bare.child);
    const sutEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', WORKERS: '1', LOG_LEVEL: 'warn', CACHE: 'on', CACHE_MAX: String(Math.max(10_000, opts.warmIds * 2)) };
    if (opts.databaseUrl) sutEnv.DATABASE_URL = opts.databaseUrl;
    const sut = await startListening(process.execPath, ['--import', 'tsx', new URL('../../sut/main.ts', import.meta.url).pathname], sutEnv);
    children.push(sut.child);

    const targets: Target[] = [
      { name: 'bare node:http JSON', url: `${bare.url}/health` },
      { name: 'SUT GET /health', url: `${sut.url}/health`, goal: 0.9 },
      { name: `SUT GET /api/users/:id (warm, ids 1..${opts.warmIds})`, url: `${sut.url}/api/users`, randomIds: opts.warmIds, goal: 0.6 },
    ];
    const measure = (t: Target) => (generator === 'autocannon' ? measureAutocannon(t, opts) : measureWrk(t, opts, dir));
    process.stderr.write(`warming the cache: ids 1..${opts.warmIds}\n`);
    for (let id = 1; id <= opts.warmIds; id++) await (await fetch(`${sut.url}/api/users/${id}`)).arrayBuffer();

    const rates: number[] = [];
    for (const target of targets) {
      process.stderr.write(`measuring ${target.name} for ${opts.durationSec}s …\n`);
      rates.push(await measure(target));
    }
    const bareRps = rates[0]!;
    let failed = 0;
    const lines = targets.map((t, i) => {
      const ratio = rates[i]! / bareRps;
      const verdict = t.goal === undefined ? '' : ratio >= t.goal ? `✅ goal ≥ ${t.goal.toFixed(2)}` : `❌ goal ≥ ${t.goal.toFixed(2)}`;
      if (t.goal !== undefined && ratio < t.goal) failed += 1;
      return `| ${t.name} | ${Math.round(rates[i]!).toLocaleString('en-US')} | ${ratio.toFixed(2)} | ${verdict} |`;
    });
    process.stdout.write(
      [
        '| target | req/s | ratio to bare | goal |',
        '|---|---|---|---|',
        ...lines,
        '',
        `method: ${generator}, ${opts.connections} connections, ${opts.durationSec}s each, one run; Node ${process.version}; ` +
          `${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()} — generator and server share these ${availableParallelism()} cores; SUT 1 process, cache warm.`,
        '',
      ].join('\n'),
    );
    return failed > 0 ? 1 : 0;
  } finally {
    for (const child of children) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
