// npm run bench:engine [-- --long]: thin wrapper over harness/bench/engine.ts (the 2-minute RSS run only with --long).
import { renderEngineBench, runEngineBench } from '../harness/bench/engine.ts';

const long = process.argv.includes('--long');
const opts = { connections: 50, durationSec: long ? 10 : 5, rssDurationSec: long ? 120 : 20, log: (line: string) => process.stderr.write(`${line}\n`) };
const result = await runEngineBench(opts);
process.stdout.write(`${renderEngineBench(result, opts)}\n`);
process.exit(0);
