// The columns of the central domain tables as the server finds them (not as this build thinks
// they are): what a push may fill and what a pull sends.
import type pg from 'pg';
import { REPLICATED_TABLES, type ReplicatedTableName } from '../contract/sync.js';

export interface CentralColumn {
  name: string;
  type: string;
}

export type CentralTables = Map<ReplicatedTableName, CentralColumn[]>;

const BOOKKEEPING = new Set(['hq_seq', 'hq_origin', 'hq_hlc']);

export async function readCentralTables(client: pg.Pool | pg.PoolClient): Promise<CentralTables> {
  const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
    [REPLICATED_TABLES],
  );
  const tables: CentralTables = new Map();
  for (const row of rows) {
    if (BOOKKEEPING.has(row.column_name)) continue;
    const table = row.table_name as ReplicatedTableName;
    const columns = tables.get(table) ?? [];
    columns.push({ name: row.column_name, type: row.data_type });
    tables.set(table, columns);
  }
  const missing = REPLICATED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) throw new Error(`the central schema lacks ${missing.join(', ')}: run "plantdesk hq init" first`);
  return tables;
}

/** Quotes an identifier the server gave us or the contract names (never user input). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return `"${name}"`;
}

/**
 * Runs `work` in one transaction on a pooled connection: committed when it returns, rolled back
 * when it throws. A connection that cannot even roll back (the server went away) is discarded
 * from the pool instead of being handed to the next request.
 */
export async function inTransaction<T>(pool: pg.Pool, begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // While checked out, a connection has no listener of the pool's: a server that goes away
  // mid-request would raise an unhandled 'error' and take the whole service down. The failed
  // query rejects on its own; the connection is then discarded below.
  const lost = () => undefined;
  client.on('error', lost);
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}
