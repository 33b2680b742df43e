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

/** What the server's responses do at their head and at their end. */
interface ResponseHooks {
  /** Written with every response's head (the node and worker ids). */
  headers: [string, string][];
  /** True while the server drains: a response that writes its head then closes its connection after it. */
  isDraining(): boolean;
  /** A response finished: node hands its socket back (detachSocket, called when a response has been sent). */
  finished(res: ServerResponse, socket: Socket): void;
}

/**
 * The response class of every connection. It writes the identity headers (and, draining, `Connection: close`) into
 * the plain object @hono/node-server hands writeHead, a fresh one per response: that costs next to nothing, where
 * setHeader() per request (or a Headers object in the app) puts each response on node's slower path of merging header
 * sources. It learns of a response's end where node detaches the socket, with no 'close' listener per request.
 */
function responseClassFor(hooks: ResponseHooks): typeof ServerResponse {
  class SutResponse extends ServerResponse {
    override writeHead(
      statusCode: number,
      reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      const given = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
      const closing = hooks.isDraining();
      if (given !== undefined && !Array.isArray(given) && Object.isExtensible(given)) {
        for (const [name, value] of hooks.headers) given[name] = value;
        if (closing) given.connection = 'close';
      } else {
        for (const [name, value] of hooks.headers) if (!this.hasHeader(name)) this.setHeader(name, value);
        if (closing) this.setHeader('connection', 'close');
      }
      return super.writeHead(statusCode, reasonOrHeaders as string, maybeHeaders);
    }

    override detachSocket(socket: Socket): void {
      super.detachSocket(socket);
      hooks.finished(this, socket);
    }
  }
  return SutResponse as typeof ServerResponse;
}

export async function startServer(fetch: Fetch, options: ServerOptions): Promise<RunningServer> {
  const sockets = new Map<Socket, SocketState>();
  let draining = false;
  const answer = getRequestListener(fetch as never);
  const ServerResponseClass = responseClassFor({
    headers: Object.entries(options.responseHeaders ?? {}),
    isDraining: () => draining,
    finished(res, socket) {
      const state = sockets.get(socket);
      if (!state) return;
      state.busy -= 1;
      state.idleSinceMs = Date.now();
      state.unreadBody = !res.req.complete;
      if (state.unreadBody) res.req.once('end', () => (state.unreadBody = false)); // the rest was read after all
    },
  });
  // One 'request' listener, ours: with a second, node copies the listener array on every request.
  const server = createServer({ ServerResponse: ServerResponseClass }, (req: IncomingMessage, res: ServerResponse) => {
    const state = sockets.get(req.socket);
    if (state) {
      state.busy += 1; // until node detaches the socket from the response (or the socket closes: its state goes)
      state.unreadBody = false;
    }
    void answer(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + 1000; // must exceed keepAliveTimeout

  server.on('connection', (socket: Socket) => {
    const state: SocketState = { busy: 0, idleSinceMs: Date.now(), ended: false, unreadBody: false };
    sockets.set(socket, state);
    socket.once('end', () => (state.ended = true));
    socket.once('close', () => sockets.delete(socket));
  });

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
      draining = true; // every response that writes its head from now on says Connection: close
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
