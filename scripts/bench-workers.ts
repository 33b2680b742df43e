// Thin wrapper: `npm run bench:workers [-- --duration 10 --connections 50]`.
import { parseArgs } from 'node:util';
import { runWorkersBench } from '../harness/bench/workers.ts';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, 'warm-ids': { type: 'string', default: '1000' } },
});
const num = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench:workers: --${name} must be a whole number ≥ 1, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const code = await runWorkersBench({
  workers: [1, 2],
  durationSec: num('duration', values.duration!),
  connections: num('connections', values.connections!),
  warmIds: num('warm-ids', values['warm-ids']!),
  warmupSec: 3,
  databaseUrl: process.env.DATABASE_URL,
});
process.exit(code);
