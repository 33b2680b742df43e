// bench:overhead — the SUT's framework and cache overhead as ratios to a bare node:http server,
// measured in one invocation with one generator (wrk when on PATH, else autocannon).
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasWrk, measure, startListening, stop, SUT_MAIN, type LoadOptions, type Target } from './sut-bench.ts';

export interface OverheadOptions extends LoadOptions {
  warmIds: number;
  rounds: number;
  databaseUrl?: string;
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

export async function runOverheadBench(opts: OverheadOptions): Promise<number> {
  const generator = hasWrk() ? 'wrk' : 'autocannon';
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-overhead-'));
  const children: ChildProcess[] = [];
  try {
    const bare = await startListening(process.execPath, ['-e', BARE_SERVER], process.env);
    children.push(bare.child);
    const sutEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', WORKERS: '1', LOG_LEVEL: 'warn', CACHE: 'on', CACHE_MAX: String(Math.max(10_000, opts.warmIds * 2)) };
    if (opts.databaseUrl) sutEnv.DATABASE_URL = opts.databaseUrl;
    const sut = await startListening(process.execPath, ['--import', 'tsx', SUT_MAIN], sutEnv);
    children.push(sut.child);

    const targets: Target[] = [
      { name: 'bare node:http JSON', url: `${bare.url}/health` },
      { name: 'SUT GET /health', url: `${sut.url}/health`, goal: 0.9 },
      { name: `SUT GET /api/users/:id (warm, ids 1..${opts.warmIds})`, url: `${sut.url}/api/users`, randomIds: opts.warmIds, goal: 0.6 },
    ];
    process.stderr.write(`warming the cache: ids 1..${opts.warmIds}\n`);
    for (let id = 1; id <= opts.warmIds; id++) await (await fetch(`${sut.url}/api/users/${id}`)).arrayBuffer();

    // Rounds interleave the targets, and each target's median is kept: on a shared machine a
    // burst of other work then skews one sample of each target, not all samples of one target.
    const samples: number[][] = targets.map(() => []);
    const slice = { ...opts, durationSec: Math.max(1, Math.round(opts.durationSec / opts.rounds)) };
    for (let round = 1; round <= opts.rounds; round++) {
      for (const [i, target] of targets.entries()) {
        process.stderr.write(`round ${round}/${opts.rounds}: ${target.name} for ${slice.durationSec}s …\n`);
        samples[i]!.push(await measure(generator, target, slice, dir));
      }
    }
    const rates = samples.map(median);
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
        `method: ${generator === 'wrk' ? 'wrk (1 thread)' : 'autocannon'}, ${opts.connections} connections, ${opts.rounds} interleaved rounds of ${slice.durationSec}s per target, median of each, one invocation; Node ${process.version}; ` +
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
