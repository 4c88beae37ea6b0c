// `plantdesk hq init` against a real PostgreSQL server started by the test.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TABLE_ROWS } from '../main/contract/entities.js';
import { CENTRAL_VERSION, workspaceColumns } from '../main/hq/schema.js';
import { runCli } from './cli-in-process.js';
import { startPostgres, type TestPostgres } from './hq-postgres.js';

describe('plantdesk hq init', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  test('creates every replicated table with the workspace columns, the change sequence, cursors and the conflict log; a second run changes nothing', async () => {
    const first = await runCli(['hq', 'init', '--url', server.url, '--json']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.out) as { server: string; applied: string[]; version: number };
    expect(result).toMatchObject({ applied: ['0001_domain_and_replication', '0002_access_and_subscriptions', '0003_one_site_index'], version: CENTRAL_VERSION });
    expect(result.server).not.toContain('hq-test-password'); // the password is never printed

    const columns = await query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
    );
    const of = (table: string) => columns.filter((c) => c.table_name === table);
    for (const [table, expected] of workspaceColumns(4)) {
      const got = of(table);
      // Every workspace column with its portable type and nullability, plus the three central ones.
      for (const c of expected) {
        expect(got.find((g) => g.column_name === c.name), `${table}.${c.name}`).toMatchObject({
          data_type: c.type,
          is_nullable: c.notNull || c.name === 'id' ? 'NO' : 'YES',
        });
      }
      expect(got.map((g) => g.column_name).sort()).toEqual([...expected.map((c) => c.name), 'hq_hlc', 'hq_origin', 'hq_seq'].sort());
    }
    // The workspace's replicated tables of v4 are all there (the 1C export record included).
    expect([...workspaceColumns(4).keys()].sort()).toEqual(Object.keys(TABLE_ROWS).sort());
    expect(of('hq_origins').map((c) => c.column_name)).toEqual(expect.arrayContaining(['origin_id', 'site_id', 'last_seq']));
    expect(of('hq_conflicts').map((c) => c.column_name)).toEqual(expect.arrayContaining(['table_name', 'row_id', 'kept_origin', 'lost_origin', 'lost_data']));
    expect(await query("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = 'hq_change_seq'")).toHaveLength(1);

    const again = await runCli(['hq', 'init', '--url', server.url]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/is up to date \(version 3\)/);
  }, 60_000);

  test('a database migrated by a newer PlantDesk is refused and left as it is', async () => {
    await runCli(['hq', 'init', '--url', server.url]);
    await query("INSERT INTO kysely_migration (name, timestamp) VALUES ('0099_from_the_future', now())");
    try {
      const tables = await query('SELECT count(*)::int AS n FROM information_schema.tables');
      const refused = await runCli(['hq', 'init', '--url', server.url, '--lang', 'en']);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/HQ_SCHEMA_TOO_NEW: The central database was migrated by a newer PlantDesk \(migration "0099_from_the_future"/);
      expect(await query('SELECT count(*)::int AS n FROM information_schema.tables')).toEqual(tables);
    } finally {
      await query("DELETE FROM kysely_migration WHERE name = '0099_from_the_future'");
    }
  }, 60_000);

  test('an unreachable server and a URL that is not PostgreSQL get clear refusals, without the password', async () => {
    const down = await runCli(['hq', 'init', '--url', 'postgres://hq:secret-pw@127.0.0.1:1/plantdesk', '--lang', 'en']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/HQ_UNREACHABLE: The headquarters server postgres:\/\/hq:\*\*\*@127\.0\.0\.1:1\/plantdesk cannot be reached: .*ECONNREFUSED/);
    expect(down.err).not.toContain('secret-pw');
    const wrong = await runCli(['hq', 'init', '--url', 'http://hq.example/']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--url \(or PLANTDESK_HQ_DATABASE\): expected postgres:\/\//);
  }, 60_000);
});
