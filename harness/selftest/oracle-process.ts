// Runs the oracle in a child process so its timers do not share the generator's event loop or CPU accounting.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.ts';
import type { Oracle, OracleHeld, OracleTiming } from './oracle.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./oracle-main.ts', import.meta.url));

type Reply =
  | { type: 'ready'; port: number }
  | { type: 'count'; id: number; count: number }
  | { type: 'held'; id: number; held: OracleHeld };

export async function spawnOracle(timing: OracleTiming): Promise<Oracle> {
  const child = fork(CHILD_ENTRY, [JSON.stringify(timing)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await waitReady(child);
  let nextId = 0;
  const ask = <T extends Exclude<Reply, { type: 'ready' }>>(type: T['type']): Promise<T> =>
    new Promise((resolve) => {
      const id = nextId++;
      const onMessage = (msg: Reply): void => {
        if (msg.type === type && msg.id === id) {
          child.off('message', onMessage);
          resolve(msg as T);
        }
      };
      child.on('message', onMessage);
      child.send({ type, id });
    });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    count: async () => (await ask<Extract<Reply, { type: 'count' }>>('count')).count,
    takeHeld: async () => (await ask<Extract<Reply, { type: 'held' }>>('held')).held,
    close,
  };
}

function waitReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('message', (msg: Reply) =>
      msg.type === 'ready' ? resolve(msg.port) : reject(new Error('oracle: unexpected message')),
    );
    child.once('exit', (code) =>
      reject(new EnvironmentError(`the oracle process exited (code ${code}) before listening`)),
    );
  });
}
