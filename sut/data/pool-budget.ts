// Checks that every worker's pool fits in the database's connection limit before any worker starts.
import pg from 'pg';
import { ConfigError } from '../config.ts';

/** Connections kept free for migrations, health checks and an operator's psql. */
const HEADROOM = 3;

export async function checkPoolBudget(url: string, workers: number, poolMax: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ max: string; reserved: string }>(
      "SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved",
    );
    const max = Number(rows[0]!.max);
    const usable = max - Number(rows[0]!.reserved) - HEADROOM;
    const wanted = workers * poolMax;
    if (wanted > usable) {
      throw new ConfigError([
        `WORKERS × DB_POOL_MAX = ${workers} × ${poolMax} = ${wanted} connections, but PostgreSQL allows ${usable} ` +
          `(max_connections ${max} minus reserved and ${HEADROOM} spare): lower DB_POOL_MAX or WORKERS`,
      ]);
    }
  } finally {
    await client.end();
  }
}
