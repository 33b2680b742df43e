// Listening and draining: the HTTP server around the app, closed gracefully on shutdown or reload.
import { createAdaptorServer } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';

type Fetch = (request: Request, env: { incoming: IncomingMessage; outgoing: ServerResponse }) => Response | Promise<Response>;

export interface ServerOptions {
  port: number;
  host: string;
  /** Longer than any load balancer's idle timeout, so the LB never reuses a socket we just closed. */
  keepAliveTimeoutMs: number;
}

export interface RunningServer {
  readonly port: number;
  readonly server: Server;
  /** Stop accepting, answer in-flight requests with `Connection: close`, wait up to drainTimeoutMs. */
  close(drainTimeoutMs?: number): Promise<void>;
}

/**
 * While draining, a keep-alive socket idle this long is closed. Closing idle sockets at once (as
 * http.Server.close() does) races a client that is just sending on one: its request is reset.
 * A socket in use gets `Connection: close` on its next response instead, which closes it cleanly.
 */
const IDLE_GRACE_MS = 1000;
const SWEEP_MS = 100;

interface SocketState {
  busy: number;
  idleSinceMs: number;
}

export async function startServer(fetch: Fetch, options: ServerOptions): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: fetch as never }) as Server;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + 1000; // must exceed keepAliveTimeout
  const sockets = new Map<Socket, SocketState>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { busy: 0, idleSinceMs: Date.now() });
    socket.once('close', () => sockets.delete(socket));
  });
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (state) state.busy += 1;
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      if (!state) return;
      state.busy -= 1;
      state.idleSinceMs = Date.now();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const drain = (drainTimeoutMs: number) =>
    new Promise<void>((resolve) => {
      draining = true;
      const sweep = setInterval(() => {
        const now = Date.now();
        for (const [socket, state] of sockets) {
          if (state.busy === 0 && now - state.idleSinceMs >= Math.min(IDLE_GRACE_MS, drainTimeoutMs)) socket.destroy();
        }
      }, SWEEP_MS);
      const deadline = setTimeout(() => {
        for (const socket of sockets.keys()) socket.destroy();
      }, drainTimeoutMs);
      // net.Server's close: stop accepting, call back once every connection has ended — without
      // http.Server's immediate closing of idle keep-alive sockets (see IDLE_GRACE_MS).
      NetServer.prototype.close.call(server, () => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
    });

  return {
    port: (server.address() as AddressInfo).port,
    server,
    close(drainTimeoutMs = 10_000) {
      closing ??= drain(drainTimeoutMs);
      return closing;
    },
  };
}
