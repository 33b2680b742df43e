// Thin wrapper: `npm run bench:overhead [-- --duration 15 --rounds 5 --connections 50 --warm-ids 1000]`.
import { parseArgs } from 'node:util';
import { runOverheadBench } from '../harness/bench/overhead.ts';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '15' }, rounds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' }, 'warm-ids': { type: 'string', default: '1000' } },
});
const num = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench:overhead: --${name} must be a whole number ≥ 1, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const code = await runOverheadBench({
  durationSec: num('duration', values.duration!),
  connections: num('connections', values.connections!),
  warmIds: num('warm-ids', values['warm-ids']!),
  rounds: num('rounds', values.rounds!),
  databaseUrl: process.env.DATABASE_URL,
});
process.exit(code);
