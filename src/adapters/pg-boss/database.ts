/** pg-boss's database seam: it runs its SQL through `executeSql`, on a pool or inside one transaction. */
import type PgBoss from 'pg-boss';
import type pg from 'pg';

export function executorOf(target: pg.Pool | pg.PoolClient): PgBoss.Db {
  return { executeSql: (text, values) => target.query(text, values) };
}

/** Runs `work` in a transaction on a client of the pool: all of it commits, or none of it. */
export async function inTransaction<T>(pool: pg.Pool, work: (db: PgBoss.Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(executorOf(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
