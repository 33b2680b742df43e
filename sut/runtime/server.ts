// Listening and draining: the HTTP server around the app, closed gracefully on shutdown or reload.
import { createAdaptorServer } from '@hono/node-server';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export async function startServer(fetch: Fetch, options: ServerOptions): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: fetch as never }) as Server;
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.keepAliveTimeoutMs + 1000; // must exceed keepAliveTimeout
  let draining = false;
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close(drainTimeoutMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        const timer = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
