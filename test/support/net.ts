// Socket facts for tests: whether anything still listens at a URL.
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
