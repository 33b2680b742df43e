// bench:engine logic: our engines' capacity against autocannon's CLI and wrk on the same target, open-model headroom, RSS.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runClosed } from '../engine/closed.ts';
import { runOpen } from '../engine/open.ts';
import { createAdHocScenario } from '../scenario/load.ts';
import { renderTable } from '../report/summary.ts';
import { onPath, pinned, startBenchTarget, type BenchTarget } from './target.ts';

export interface BenchOptions {
  connections: number;
  durationSec: number;
  rssDurationSec: number;
  log: (line: string) => void;
}

export interface BenchResult {
  target: string;
  cores: string;
  closedRps: number;
  autocannonRps: number;
  wrkRps?: number;
  openMaxRps: number;
  openProbes: { rate: number; lateShare: number; held: boolean }[];
  rssPeakMb: number;
  rssStartMb: number;
  rssEndMb: number;
}

const AUTOCANNON_BIN = fileURLToPath(new URL('../../node_modules/.bin/autocannon', import.meta.url));
const scenario = createAdHocScenario({ path: '/' });
const GENERATOR_CPU = 0;
const TARGET_CPU = 1;

export async function runEngineBench(opts: BenchOptions): Promise<BenchResult> {
  const cpus = availableParallelism(); // read before pinning narrows this process's affinity
  const pinning = cpus >= 2 && onPath('taskset');
  if (pinning) spawnSync('taskset', ['-p', '-c', String(GENERATOR_CPU), String(process.pid)], { stdio: 'ignore' });
  const target = await startBenchTarget(pinning ? TARGET_CPU : undefined);
  try {
    const cores = pinning ? `generator pinned to cpu ${GENERATOR_CPU}, target to cpu ${TARGET_CPU} (of ${cpus})` : `generator and target share ${cpus} cores`;
    opts.log(`target: ${target.name} at ${target.url}; ${cores}`);
    await runClosed({ target: target.url, scenario, connections: opts.connections, durationSec: 2 }); // warm both sides
    const closedRps = await measureClosed(target, opts);
    opts.log(`closed engine: ${Math.round(closedRps)} req/s`);
    const autocannonRps = await measureAutocannonCli(target, opts, pinning);
    opts.log(`autocannon CLI: ${Math.round(autocannonRps)} req/s`);
    const wrkRps = onPath('wrk') ? await measureWrk(target, opts, pinning) : undefined;
    if (wrkRps !== undefined) opts.log(`wrk -t1: ${Math.round(wrkRps)} req/s`);
    const rss = await measureRss(target, opts); // before the open probes, whose sockets and buffers would inflate it
    const { maxRps: openMaxRps, probes } = await searchOpenRate(target, closedRps, opts);
    return { target: target.name, cores, closedRps, autocannonRps, wrkRps, openMaxRps, openProbes: probes, ...rss };
  } finally {
    await target.stop();
  }
}

async function measureClosed(target: BenchTarget, opts: BenchOptions): Promise<number> {
  const { recorder, elapsedSec } = await runClosed({ target: target.url, scenario, connections: opts.connections, durationSec: opts.durationSec });
  return recorder.counts.completed / elapsedSec;
}

function run(command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = command;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

async function measureAutocannonCli(target: BenchTarget, opts: BenchOptions, pinning: boolean): Promise<number> {
  const command = [AUTOCANNON_BIN, '-c', String(opts.connections), '-d', String(opts.durationSec), '-j', target.url];
  const out = await run(pinned(pinning ? GENERATOR_CPU : undefined, command));
  const result = JSON.parse(out) as { requests: { total: number }; duration: number };
  return result.requests.total / result.duration;
}

async function measureWrk(target: BenchTarget, opts: BenchOptions, pinning: boolean): Promise<number> {
  const command = ['wrk', '-t1', `-c${opts.connections}`, `-d${opts.durationSec}s`, target.url];
  const out = await run(pinned(pinning ? GENERATOR_CPU : undefined, command));
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
}

/** Binary search for the highest rate whose sends are ≤ 1% late (and all answered), in 3-second probes. */
async function searchOpenRate(target: BenchTarget, closedRps: number, opts: BenchOptions) {
  const probes: BenchResult['openProbes'] = [];
  let lo = 0;
  let hi = Math.ceil(Math.min(closedRps, 20_000));
  for (let i = 0; i < 6 && hi - lo > Math.max(100, hi * 0.03); i++) {
    const rate = Math.round((lo + hi) / 2);
    const r = await runOpen({ target: target.url, scenario, targetRps: rate, durationSec: 3 });
    const c = r.recorder.counts;
    const lateShare = r.lateSends / Math.max(1, c.sent);
    const held = lateShare <= 0.01 && c.failed === 0 && c.completed === c.sent;
    probes.push({ rate, lateShare, held });
    opts.log(`open probe ${rate} req/s: ${(lateShare * 100).toFixed(2)}% late → ${held ? 'holds' : 'does not hold'}`);
    if (held) lo = rate;
    else hi = rate;
  }
  return { maxRps: lo, probes };
}

async function measureRss(target: BenchTarget, opts: BenchOptions): Promise<Pick<BenchResult, 'rssPeakMb' | 'rssStartMb' | 'rssEndMb'>> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss / 1048576), 1000);
  opts.log(`RSS: closed engine at max rate for ${opts.rssDurationSec}s …`);
  await runClosed({ target: target.url, scenario, connections: opts.connections, durationSec: opts.rssDurationSec });
  clearInterval(timer);
  samples.push(process.memoryUsage().rss / 1048576);
  const quarter = Math.max(1, Math.floor(samples.length / 4));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { rssPeakMb: Math.max(...samples), rssStartMb: mean(samples.slice(0, quarter)), rssEndMb: mean(samples.slice(-quarter)) };
}

/** The ratios and figures as printed by `npm run bench:engine` (pure). */
export function renderEngineBench(r: BenchResult, opts: Pick<BenchOptions, 'connections' | 'durationSec' | 'rssDurationSec'>): string {
  const rows: (string | number)[][] = [
    ['closed engine (autocannon API + our histogram)', Math.round(r.closedRps), '1.00'],
    ['autocannon CLI', Math.round(r.autocannonRps), (r.closedRps / r.autocannonRps).toFixed(2)],
  ];
  if (r.wrkRps !== undefined) rows.push(['wrk -t1', Math.round(r.wrkRps), (r.closedRps / r.wrkRps).toFixed(2)]);
  rows.push(['open engine, highest rate with ≤ 1% late sends', r.openMaxRps, (r.openMaxRps / r.closedRps).toFixed(2)]);
  return [
    `target: ${r.target}; ${r.cores}; ${opts.connections} connections, ${opts.durationSec}s per measurement`,
    renderTable(['generator', 'req/s', 'closed engine ÷ this'], rows).replace('closed engine ÷ this', 'closed ÷ this'),
    `closed engine ÷ autocannon CLI = ${(r.closedRps / r.autocannonRps).toFixed(2)} (goal ≥ 0.95)`,
    ...(r.wrkRps !== undefined ? [`closed engine ÷ wrk = ${(r.closedRps / r.wrkRps).toFixed(2)}`] : ['wrk: not on PATH, skipped']),
    `open engine max ÷ closed engine = ${(r.openMaxRps / r.closedRps).toFixed(2)}`,
    `RSS over a ${opts.rssDurationSec}s max-rate run: peak ${r.rssPeakMb.toFixed(0)} MB, first quarter ${r.rssStartMb.toFixed(0)} MB → last quarter ${r.rssEndMb.toFixed(0)} MB (goal < 200 MB and flat)`,
  ].join('\n');
}
