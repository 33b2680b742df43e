// Socket facts for tests: whether anything still listens at a URL.
import { request } from 'node:http';
import { connect } from 'node:net';

/** True when a TCP connect to the URL's host and port is refused (nothing listens any more). */
export function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export interface ClusterAnswer {
  status: number;
  /** x-worker-id: which worker of the cluster answered. */
  workerId: string;
  /** x-cache, where the route reads through the cache. */
  cache: string | undefined;
  body: any;
}

/** One JSON request on a connection of its own: a cluster hands each new connection to its next worker. */
export function callOnNewConnection(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  authorization?: string,
): Promise<ClusterAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method,
      agent: false,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          workerId: String(res.headers['x-worker-id']),
          cache: res.headers['x-cache'] as string | undefined,
          body: text ? JSON.parse(text) : undefined,
        }),
      );
    });
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
