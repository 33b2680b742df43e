// The SUT as one built JavaScript file: sut/main.ts and everything it imports (its packages too) bundled by
// esbuild into .build/sut.mjs, rebuilt when a source is newer. A worker of the bundle starts on ~0.3 s of CPU
// against ~1.2 s through tsx (TypeScript loader hooks, hundreds of modules resolved and lexed one by one) —
// the CPU a rolling reload takes from the workers still serving, on a machine whose cores they share.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'sut', 'main.ts');
export const SUT_BUNDLE = join(ROOT, '.build', 'sut.mjs');
/** What the bundle is made of: a change to any of them makes it stale. */
const SOURCES = [join(ROOT, 'sut'), join(ROOT, 'lib'), join(ROOT, 'package-lock.json')];

/** Newest modification time (ms) under the given files and folders. */
function newestMtimeMs(paths: string[]): number {
  let newest = 0;
  const visit = (path: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const path of paths) visit(path);
  return newest;
}

function bundleMtimeMs(): number {
  try {
    return statSync(SUT_BUNDLE).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when .build/sut.mjs is missing or older than a source. */
export function sutBundleStale(): boolean {
  return bundleMtimeMs() < newestMtimeMs(SOURCES);
}

/**
 * The path of the built SUT, building it first when it is missing or stale (~0.3 s). Safe to call from
 * several processes at once: each writes its own file and renames it into place.
 */
export async function ensureSutBuilt(): Promise<string> {
  if (!sutBundleStale()) return SUT_BUNDLE;
  const { build } = await import('esbuild');
  mkdirSync(dirname(SUT_BUNDLE), { recursive: true });
  const temp = `${SUT_BUNDLE}.${process.pid}.tmp.mjs`;
  await build({
    entryPoints: [ENTRY],
    outfile: temp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // BullMQ reads its Lua scripts from files beside its own modules: it stays a package, loaded from node_modules.
    external: ['bullmq'],
    // No source map: the bundle is not minified, keeps every name and marks each source file with a comment.
    logLevel: 'error',
    // Bundled CommonJS packages call require(): give the ES module one.
    banner: {
      js: "import { createRequire as __loadlabRequire } from 'node:module'; const require = __loadlabRequire(import.meta.url);",
    },
  });
  renameSync(temp, SUT_BUNDLE);
  return SUT_BUNDLE;
}
