// Replication from the command line, against a real PostgreSQL and the sync service run by
// `plantdesk hq serve` in this process: keys, configure, push/pull, status with the last error,
// bootstrap of a second PC, the conflict log.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-in-process.js';
import { startPostgres, type TestPostgres } from './hq-postgres.js';
import { TestPlant, tempDir } from './helpers.js';

describe('plantdesk sync and hq commands', () => {
  let pgs: TestPostgres;
  let stopServe: AbortController;
  let served: Promise<unknown>;
  let hqUrl = '';

  beforeAll(async () => {
    pgs = await startPostgres();
    expect((await runCli(['hq', 'init', '--url', pgs.url])).code).toBe(0);
    stopServe = new AbortController();
    let announced: (url: string) => void;
    const ready = new Promise<string>((resolve) => (announced = resolve));
    served = runCli(['hq', 'serve', '--url', pgs.url, '--port', '0'], stopServe.signal, (out) => {
      const match = /sync service on (http:\/\/[^\s]+)/.exec(out);
      if (match) announced(match[1]!);
    });
    hqUrl = await ready;
  }, 120_000);

  afterAll(async () => {
    stopServe?.abort();
    await served;
    await pgs?.stop();
  });

  const as = (dir: string, ...args: string[]) => runCli([...args, '--workspace', dir, '--user', 'admin', '--password', 'admin-pass-1', '--lang', 'en']);
  const json = async <T>(dir: string, ...args: string[]): Promise<T> => {
    const r = await as(dir, ...args, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.out) as T;
  };

  test('configure, push, status, bootstrap a second PC, conflicts; an unreachable server is named and the changes wait', async () => {
    const plant = new TestPlant().setup().withReference();
    plant.receiveOmul();
    const dir = plant.ws.dir;
    plant.ws.close();

    const notSet = await as(dir, 'sync', 'push');
    expect(notSet.code).toBe(1);
    expect(notSet.err).toMatch(/SYNC_NOT_CONFIGURED: Synchronisation is not set up/);

    const key = JSON.parse((await runCli(['hq', 'token', '--url', pgs.url, '--label', 'Fish plant office', '--json'])).out) as { token: string; id: number };
    expect(key.token.length).toBeGreaterThanOrEqual(32);

    const configured = await json<{ configured: boolean; interval_min: number; has_token: boolean }>(dir, 'sync', 'configure', '--hq', hqUrl, '--token', key.token, '--every', '5');
    expect(configured).toMatchObject({ configured: true, interval_min: 5, has_token: true });
    expect(JSON.stringify(configured)).not.toContain(key.token); // the key is never shown again

    const pending = (await json<{ pending_changes: number }>(dir, 'sync', 'status')).pending_changes;
    expect(pending).toBeGreaterThan(10);
    const report = await json<{ pushed: number; pending: number; pulled: number }>(dir, 'sync', 'run');
    expect(report).toMatchObject({ pushed: pending, pending: 0 }); // configuring changed no replicated row
    const status = await json<{ pending_changes: number; last_success_at: number | null; last_error: unknown }>(dir, 'sync', 'status');
    expect(status).toMatchObject({ pending_changes: 0, last_error: null });
    expect(status.last_success_at).not.toBeNull();

    // A second PC of the same site: from headquarters' snapshot, then its users log in there.
    const second = tempDir();
    const boot = await runCli(['sync', 'bootstrap', '--hq', hqUrl, '--token', key.token, '--site', 'BFP', '--station', '2', '--workspace', second, '--json']);
    expect(boot.err).toBe('');
    const booted = JSON.parse(boot.out) as { rows: number; site_code: string };
    expect(booted).toMatchObject({ site_code: 'BFP' });
    expect(booted.rows).toBe(pending);
    const info = await json<{ site_code: string; counts: { lots: number; receipts: number } }>(second, 'workspace', 'info');
    expect(info).toMatchObject({ site_code: 'BFP', counts: { lots: 1, receipts: 1 } });
    expect((await json<{ pulled: number }>(second, 'sync', 'pull')).pulled).toBe(0);
    const again = await as(second, 'sync', 'bootstrap', '--hq', hqUrl, '--token', key.token, '--site', 'BFP', '--station', '3');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/SYNC_WORKSPACE_NOT_EMPTY/);

    expect(JSON.parse((await runCli(['hq', 'conflicts', '--url', pgs.url, '--json'])).out)).toEqual({ rows: [] });

    // Headquarters cannot be reached: a clear error, recorded with its cause; nothing is lost.
    const reopened = new TestPlant(dir);
    reopened.adminToken = reopened.login('admin', 'admin-pass-1');
    reopened.receiveOmul(300);
    const waiting = (reopened.ws.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM change_log')[0]!).n;
    reopened.ws.close();
    const closed = await closedPort();
    const down = await as(dir, 'sync', 'push', '--hq', `http://127.0.0.1:${closed}`);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(new RegExp(`HQ_UNREACHABLE: The headquarters server http://127\\.0\\.0\\.1:${closed} cannot be reached: ECONNREFUSED`));
    const after = await json<{ pending_changes: number; last_error: { code: string; message: { ru: string } } }>(dir, 'sync', 'status');
    expect(after.pending_changes).toBe(waiting);
    expect(after.last_error.code).toBe('HQ_UNREACHABLE');
    expect(after.last_error.message.ru).toMatch(/недоступен/);
    const text = await as(dir, 'sync', 'status');
    expect(text.out).toMatch(/last error: .*cannot be reached/);

    const tokens = JSON.parse((await runCli(['hq', 'tokens', '--url', pgs.url, '--json'])).out) as { rows: { id: number; site_code: string; last_used_at: string | null }[] };
    expect(tokens.rows.find((t) => t.id === key.id)).toMatchObject({ site_code: 'BFP' }); // bound to the site that used it first
    expect(tokens.rows.find((t) => t.id === key.id)!.last_used_at).not.toBeNull();
    expect(JSON.stringify(tokens)).not.toContain(key.token);

    // A revoked key no longer synchronises.
    expect((await runCli(['hq', 'revoke', '--url', pgs.url, '--id', String(key.id)])).code).toBe(0);
    const revoked = await as(dir, 'sync', 'push');
    expect(revoked.code).toBe(1);
    expect(revoked.err).toMatch(/SYNC_UNAUTHORIZED: The headquarters server refused the access key: the key is unknown or revoked/);
    expect((await json<{ pending_changes: number }>(dir, 'sync', 'status')).pending_changes).toBe(waiting);
  }, 120_000);
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
