// Listening and draining: the HTTP server around the app, closed gracefully on shutdown or reload.
import { getRequestListener } from '@hono/node-server';
import {
  createServer,
  ServerResponse,
  type IncomingMessage,
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
} from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';

type Fetch = (
  request: Request,
  env: { incoming: IncomingMessage; outgoing: ServerResponse },
) => Response | Promise<Response>;

export interface ServerOptions {
  port: number;
  host: string;
  /** Longer than any load balancer's idle timeout, so the LB never reuses a socket we just closed. */
  keepAliveTimeoutMs: number;
  /** Headers every response carries (the node and worker ids), written with the status line. */
  responseHeaders?: Readonly<Record<string, string>>;
}

/** 'reload': a worker retires while the others keep serving; 'stop': the whole node goes away. */
export type DrainMode = 'reload' | 'stop';

export interface RunningServer {
  readonly port: number;
  readonly server: Server;
  /**
   * Stop accepting, answer in-flight requests with `Connection: close`, close idle sockets (at once
   * on a stop, after a grace on a reload), and wait up to drainTimeoutMs for the busy ones.
   */
  close(drainTimeoutMs?: number, mode?: DrainMode): Promise<void>;
}

/**
 * During a reload, a keep-alive socket idle this long is closed. Closing idle sockets at once (as
 * http.Server.close() does) races a client that is just sending on one: its request is reset,
 * though another worker could have served it. A socket in use gets `Connection: close` on its next
 * response instead, which closes it cleanly. On a stop there is no other worker, so no grace.
 */
const RELOAD_IDLE_GRACE_MS = 1000;
const SWEEP_MS = 100;

interface SocketState {
  /** Responses begun and not yet finished. */
  busy: number;
  /** Those responses, so a drain can still mark them `Connection: close`. */
  pending: Set<ServerResponse>;
  idleSinceMs: number;
  /** The client half-closed (sent FIN): it will send no further request. */
  ended: boolean;
  /** The last response finished before its request body was read (e.g. a 413): no next request can follow soon. */
  unreadBody: boolean;
}

/** True when draining may destroy the socket now: nothing is being answered on it, and no client is about to reuse it. */
function isDisposable(state: SocketState, nowMs: number, idleGraceMs: number): boolean {
  if (state.busy > 0) return false;
  return state.ended || state.unreadBody || nowMs - state.idleSinceMs >= idleGraceMs;
}

/** In-flight responses whose headers are not sent yet close their socket after answering. */
function markClosing(responses: Iterable<ServerResponse>): void {
  for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * A response class that adds `headers` where the response writes its head. @hono/node-server hands writeHead a
 * fresh plain object per response: adding two keys to it costs next to nothing, where setHeader() per request (or
 * a Headers object in the app) put each response on node's slower path of merging header sources.
 */
function responseClassWith(headers: Readonly<Record<string, string>> | undefined): typeof ServerResponse {
  if (!headers || Object.keys(headers).length === 0) return ServerResponse;
  const entries = Object.entries(headers);
  class WithHeaders extends ServerResponse {
    override writeHead(
      statusCode: number,
      reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      const given = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
      if (given !== undefined && !Array.isArray(given) && Object.isExtensible(given)) {
        for (const [name, value] of entries) given[name] = value;
      } else {
        for (const [name, value] of entries) if (!this.hasHeader(name)) this.setHeader(name, value);
      }
      return super.writeHead(statusCode, reasonOrHeaders as string, maybeHeaders);
    }
  }
  return WithHeaders as typeof ServerResponse;
}

export async function startServer(fetch: Fetch, options: ServerOptions): Promise<RunningServer> {
  const answer = getRequestListener(fetch as never);
  // One 'request' listener doing both: with two, node copies the listener array on every request.
  const server = createServer(
    { ServerResponse: responseClassWith(options.responseHeaders) },
    (req: IncomingMessage, res: ServerResponse) => {
      track(req, res);
      void answer(req, res);
    },
  );
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + 1000; // must exceed keepAliveTimeout
  const sockets = new Map<Socket, SocketState>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    const state: SocketState = {
      busy: 0,
      pending: new Set(),
      idleSinceMs: Date.now(),
      ended: false,
      unreadBody: false,
    };
    sockets.set(socket, state);
    socket.once('end', () => (state.ended = true));
    socket.once('close', () => sockets.delete(socket));
  });
  function track(req: IncomingMessage, res: ServerResponse): void {
    const state = sockets.get(req.socket);
    if (draining) res.setHeader('connection', 'close');
    if (!state) return;
    state.busy += 1;
    state.pending.add(res);
    state.unreadBody = false;
    res.on('close', onResponseClose);
  }
  /** A response emits 'close' once, after 'finish' or on an abort: one shared listener, nothing allocated per request. */
  function onResponseClose(this: ServerResponse): void {
    const req = this.req;
    const state = sockets.get(req.socket);
    if (!state) return;
    state.busy -= 1;
    state.pending.delete(this);
    state.idleSinceMs = Date.now();
    state.unreadBody = !req.complete;
    if (state.unreadBody) req.once('end', () => (state.unreadBody = false)); // the rest was read after all
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  const drain = (drainTimeoutMs: number, mode: DrainMode) =>
    new Promise<void>((resolve) => {
      draining = true;
      for (const state of sockets.values()) markClosing(state.pending);
      const idleGraceMs = mode === 'reload' ? Math.min(RELOAD_IDLE_GRACE_MS, drainTimeoutMs) : 0;
      const sweepOnce = () => {
        const nowMs = Date.now();
        for (const [socket, state] of sockets) if (isDisposable(state, nowMs, idleGraceMs)) socket.destroy();
      };
      const sweep = setInterval(sweepOnce, SWEEP_MS);
      const deadline = setTimeout(() => {
        for (const socket of sockets.keys()) socket.destroy();
      }, drainTimeoutMs);
      // net.Server's close: stop accepting, call back once every connection has ended — without
      // http.Server's immediate closing of idle keep-alive sockets (see RELOAD_IDLE_GRACE_MS).
      NetServer.prototype.close.call(server, () => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
      sweepOnce();
    });

  return {
    port: (server.address() as AddressInfo).port,
    server,
    close(drainTimeoutMs = 10_000, mode: DrainMode = 'stop') {
      closing ??= drain(drainTimeoutMs, mode);
      return closing;
    },
  };
}
