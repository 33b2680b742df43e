// Child-process entry of the oracle: argv[2] is the timing as JSON; reports its port, counts and held times over IPC.
import { startOracle, type OracleTiming } from './oracle.ts';

const timing = JSON.parse(process.argv[2] ?? '{"serviceMs":10}') as OracleTiming;
const oracle = await startOracle(timing);
process.on('message', (msg: { type: string; id: number }) => {
  if (msg.type === 'count') void oracle.count().then((count) => process.send?.({ type: 'count', id: msg.id, count }));
  if (msg.type === 'held') void oracle.takeHeld().then((held) => process.send?.({ type: 'held', id: msg.id, held }));
});
process.on('SIGTERM', () => void oracle.close().then(() => process.exit(0)));
process.on('disconnect', () => void oracle.close().then(() => process.exit(0)));
process.send?.({ type: 'ready', port: oracle.port });
