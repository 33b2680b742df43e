// Test helpers: a counting HTTP server on port 0 and an in-memory CommandIO.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { CommandIO } from '../../harness/io.ts';

export interface TestServer {
  url: string;
  port: number;
  received: () => number;
  close: () => Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  let received = 0;
  const server = createServer((req, res) => {
    received += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was just listening and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = await startServer(() => undefined);
  await s.close();
  return s.port;
}

export function memoryIO(): CommandIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    out: () => out,
    err: () => err,
  };
}

/**
 * For a file of command tests: each test gets a fresh results folder (`dir`), and every server it starts with
 * `serve` is closed after it. Call once at the top of the file.
 */
export function commandFixture(): {
  readonly dir: string;
  serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer>;
} {
  let dir = '';
  let servers: TestServer[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loadlab-test-'));
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async serve(handler) {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
  };
}
