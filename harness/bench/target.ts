// The bench:engine target: nginx returning a fixed body when it is on PATH, else a bare node:http server, in its own process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchTarget {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Prefix that pins a command to one CPU when taskset exists, so generator and target each get a core. */
export function pinned(cpu: number | undefined, command: string[]): string[] {
  return cpu !== undefined && onPath('taskset') ? ['taskset', '-c', String(cpu), ...command] : command;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startBenchTarget(cpu?: number): Promise<BenchTarget> {
  const port = await freePort();
  return onPath('nginx') ? startNginx(port, cpu) : startNode(port, cpu);
}

async function startNginx(port: number, cpu?: number): Promise<BenchTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'loadlab-nginx-'));
  const conf = `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { default_type text/plain; return 200 "hello world\\n"; } } }`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const [cmd, ...args] = pinned(cpu, ['nginx', '-c', join(dir, 'nginx.conf'), '-p', dir]);
  const child = spawn(cmd!, args, { stdio: 'ignore' });
  await waitForPort(port, child);
  return { name: 'nginx (1 worker)', url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true })) };
}

async function startNode(port: number, cpu?: number): Promise<BenchTarget> {
  const code = `require('http').createServer((q, s) => s.end('hello world\\n')).listen(${port}, '127.0.0.1')`;
  const [cmd, ...args] = pinned(cpu, [process.execPath, '-e', code]);
  const child = spawn(cmd!, args, { stdio: 'ignore' });
  await waitForPort(port, child);
  return { name: 'node:http', url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`bench target exited with code ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.arrayBuffer().then(() => true),
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('bench target did not start listening');
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
