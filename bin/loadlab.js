#!/usr/bin/env node
// Launcher for the `loadlab` bin: runs harness/cli.ts through tsx with the caller's arguments and exit code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../harness/cli.ts', import.meta.url));
const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 4);
