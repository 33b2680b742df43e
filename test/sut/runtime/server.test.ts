// The drain of one worker's HTTP server: on a stop, idle, half-closed and rejected-body sockets
// are destroyed at once instead of holding the drain to its timeout; busy ones are waited for.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../sut/runtime/server.ts';

const DRAIN_TIMEOUT_MS = 10_000;
const BIG_BODY_BYTES = 20 * 1024 * 1024;
let server: RunningServer | undefined;
const sockets: Socket[] = [];
let enterSlow: () => void = () => undefined;
let slowEntered = Promise.resolve();

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close(0);
  server = undefined;
});

async function start(): Promise<RunningServer> {
  const app = new Hono();
  slowEntered = new Promise((resolve) => (enterSlow = resolve));
  app.get('/slow', async (c) => {
    enterSlow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    return c.text('done');
  });
  app.get('/fast', (c) => c.text('ok'));
  app.post('/upload', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'too large' }, 413) }), (c) =>
    c.text('ok'),
  );
  server = await startServer(app.fetch, { port: 0, host: '127.0.0.1', keepAliveTimeoutMs: 65_000 });
  return server;
}

/** A raw keep-alive client: writes `head` (and `body`), resolves with the first response's status line. */
async function send(port: number, head: string, body?: Buffer): Promise<{ socket: Socket; statusLine: string }> {
  const socket = connect({ port, host: '127.0.0.1' });
  sockets.push(socket);
  socket.on('error', () => undefined); // the server may reset an upload it rejected
  await new Promise((resolve) => socket.once('connect', resolve));
  const firstData = new Promise<string>((resolve) =>
    socket.once('data', (d: Buffer) => resolve(d.toString('latin1').split('\r\n')[0]!)),
  );
  socket.write(head);
  if (body) socket.write(body);
  return { socket, statusLine: await firstData };
}

async function timeClose(running: RunningServer, mode?: 'reload' | 'stop'): Promise<number> {
  const startedMs = performance.now();
  await running.close(DRAIN_TIMEOUT_MS, mode);
  return performance.now() - startedMs;
}

describe('server drain', () => {
  it('after a rejected 20 MB body (413) on a socket the client keeps open, close() resolves well under the drain timeout', async () => {
    const running = await start();
    const head = `POST /upload HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${BIG_BODY_BYTES}\r\n\r\n`;
    const { statusLine } = await send(running.port, head, Buffer.alloc(BIG_BODY_BYTES, 97));
    expect(statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await timeClose(running)).toBeLessThan(1_000);
  });

  it('the same rejected upload does not hold a reload drain to its timeout either', async () => {
    const running = await start();
    const head = `POST /upload HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const { statusLine } = await send(
      running.port,
      head,
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    expect(statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(await timeClose(running, 'reload')).toBeLessThan(2_000);
  });

  it('an idle keep-alive socket is destroyed at once on a stop', async () => {
    const running = await start();
    const { statusLine } = await send(running.port, 'GET /fast HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(statusLine).toBe('HTTP/1.1 200 OK');
    expect(await timeClose(running, 'stop')).toBeLessThan(500);
  });

  it('a half-closed socket is not waited for', async () => {
    const running = await start();
    const { socket } = await send(running.port, 'GET /fast HTTP/1.1\r\nhost: x\r\n\r\n');
    socket.end();
    expect(await timeClose(running, 'reload')).toBeLessThan(900);
  });

  it('a request in flight is answered (with Connection: close) before the drain ends', async () => {
    const running = await start();
    const socket = connect({ port: running.port, host: '127.0.0.1' });
    sockets.push(socket);
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    const clientClosed = new Promise((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
    await slowEntered; // the handler runs: the request is in flight
    await running.close(DRAIN_TIMEOUT_MS, 'stop');
    await clientClosed; // the server closed it after the answer
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(response).toMatch(/done$/);
  });
});
