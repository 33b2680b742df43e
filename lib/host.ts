// Facts about this host that services and the harness both need: a free port, a binary on PATH.
import { access, constants } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Asks the kernel for a free port on `host`, then releases it for a child to bind. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The first executable `name` in PATH, then in `extraFolders` (distributions put nginx in sbin). */
export async function findOnPath(
  name: string,
  pathList: string,
  extraFolders: readonly string[] = [],
): Promise<string | null> {
  for (const folder of [...pathList.split(delimiter).filter(Boolean), ...extraFolders]) {
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  return null;
}
