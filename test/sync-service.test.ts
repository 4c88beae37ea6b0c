// The sync service of a host: manual runs through the host's request path with progress events,
// one exchange at a time, and synchronising by itself when headquarters comes back.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobProgress } from '../main/contract/jobs.js';
import { createToken } from '../main/hq/admin.js';
import { initCentral } from '../main/hq/schema.js';
import { startHqServer, type HqServer } from '../main/hq/server.js';
import { EventHub } from '../main/host/events.js';
import { handleRequest } from '../main/host/invoke.js';
import { SyncService } from '../main/sync/service.js';
import { HqClient } from '../main/sync/hq-client.js';
import { nextPushBatch, syncIdentity } from '../main/sync/local.js';
import { syncService } from '../main/sync/host.js';
import { startPostgres, type TestPostgres } from './hq-postgres.js';
import { TestPlant } from './helpers.js';

describe('sync service', () => {
  let pgs: TestPostgres;
  beforeAll(async () => {
    pgs = await startPostgres();
    await initCentral(pgs.url);
  }, 120_000);
  afterAll(async () => {
    await pgs?.stop();
  });

  test('sync.run from a window: progress with counts, the result, workspace.changed; a second request during the run shares it', async () => {
    const hq = await startHqServer({ url: pgs.url });
    try {
      const plant = new TestPlant().setup().withReference();
      for (let i = 0; i < 5; i++) plant.receiveOmul(100 + i);
      const { token } = await createToken(pgs.url, 'fish', false);
      plant.call('sync.configure', { hq_url: hq.url, token, interval_min: 0 });
      const waiting = plant.call('sync.status', {}).pending_changes;

      const events = new EventHub();
      const progress: JobProgress[] = [];
      const changed: string[] = [];
      events.subscribe((channel, payload) => {
        if (channel === 'job.progress') progress.push(payload as JobProgress);
        if (channel === 'workspace.changed') changed.push((payload as { operation: string }).operation);
      });
      const sync = syncService(plant.ws, events);
      const job = '0195f9c8-0000-7000-8000-000000000001';
      const request = (input: unknown) => handleRequest(plant.ws, events, { operation: 'sync.run', input, session: plant.adminToken }, undefined, undefined, sync);
      const [first, second] = await Promise.all([request({ job }), request({ direction: 'push' })]);
      expect(first).toEqual(second); // one exchange, one result
      expect(first.ok).toBe(true);
      expect((first as { value: { pushed: number; pending: number } }).value).toMatchObject({ pushed: waiting, pending: 0 });
      const mine = progress.filter((p) => p.job === job && p.operation === 'sync.run');
      expect(mine.at(0)).toMatchObject({ phase: 'push', done: 0, total: waiting });
      expect(mine.find((p) => p.phase === 'push' && p.done === waiting)?.counts).toMatchObject({ pushed: waiting, push_total: waiting });
      expect(mine.at(-1)?.phase).toBe('pull');
      expect(changed).toContain('sync.run');
      expect(plant.call('sync.status', {})).toMatchObject({ pending_changes: 0, last_error: null, running: false });

      // Without a session, nothing runs.
      const anonymous = await handleRequest(plant.ws, events, { operation: 'sync.run', input: {}, session: '' }, undefined, undefined, sync);
      expect(anonymous).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      // A host without the sync service says so instead of pretending.
      expect(plant.ws.invoke('sync.run', {}, { token: plant.adminToken })).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      await hq.close();
    }
  }, 60_000);

  test('headquarters down: the failure is recorded; when it is back the service synchronises by itself', async () => {
    const port = await freePort();
    const plant = new TestPlant().setup().withReference();
    plant.receiveOmul();
    const { token } = await createToken(pgs.url, 'fish-2', false);
    plant.call('sync.configure', { hq_url: `http://127.0.0.1:${port}`, token, interval_min: 60 });
    const finished: boolean[] = [];
    const service = new SyncService(plant.ws, { probeEveryMs: 100, onFinished: (r) => finished.push(r.ok) });
    service.start();
    let hq: HqServer | undefined;
    try {
      await until(() => finished.length >= 1);
      expect(finished).toEqual([false]);
      const down = plant.call('sync.status', {});
      expect(down.last_error?.code).toBe('HQ_UNREACHABLE');
      expect(down.pending_changes).toBeGreaterThan(0);

      hq = await startHqServer({ url: pgs.url, port });
      await until(() => finished.includes(true));
      expect(plant.call('sync.status', {})).toMatchObject({ pending_changes: 0, last_error: null });
      // Back on its interval (an hour): no further exchange in the next moments.
      const count = finished.length;
      await new Promise((r) => setTimeout(r, 400));
      expect(finished.length).toBe(count);
    } finally {
      service.stop();
      await hq?.close();
    }
  }, 60_000);

  test('a refusal is not asked again at once: a revoked or unknown key waits for the interval', async () => {
    const hq = await startHqServer({ url: pgs.url });
    const plant = new TestPlant().setup();
    plant.call('sync.configure', { hq_url: hq.url, token: 'not-a-key-issued-here-0000', interval_min: 60 });
    const finished: string[] = [];
    const service = new SyncService(plant.ws, { probeEveryMs: 50, onFinished: (r) => finished.push(r.ok ? 'ok' : r.error.code) });
    service.start();
    try {
      await until(() => finished.length >= 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(finished).toEqual(['SYNC_UNAUTHORIZED']);
      expect(plant.call('sync.status', {}).last_error?.code).toBe('SYNC_UNAUTHORIZED');
    } finally {
      service.stop();
      await hq.close();
    }
  }, 60_000);

  test('a batch refused for a bad value leaves the service able to take the next one on the same connection', async () => {
    const hq = await startHqServer({ url: pgs.url, poolSize: 1 });
    try {
      const plant = new TestPlant().setup().withReference();
      const { token } = await createToken(pgs.url, 'fish-3', false);
      const client = new HqClient(hq.url, token);
      const batch = nextPushBatch(plant.ws.db, syncIdentity(plant.ws.db), Date.now())!;
      const spoiled = JSON.parse(batch.json) as { changes: { data: Record<string, unknown> }[] };
      spoiled.changes[0]!.data.created_at = 'yesterday';
      await expect(client.push(JSON.stringify(spoiled))).rejects.toMatchObject({ code: 'SYNC_BAD_REQUEST' });
      const answer = await client.push(batch.json);
      expect(answer).toMatchObject({ acked_seq: batch.last, applied: batch.count, skipped: 0 });
    } finally {
      await hq.close();
    }
  }, 60_000);
});

async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
