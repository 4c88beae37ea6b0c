import { afterAll, beforeAll, expect, test } from 'vitest';
import { initCentral } from '../main/hq/schema.js';
import { startHqServer, type HqServer } from '../main/hq/server.js';
import { createToken } from '../main/hq/admin.js';
import { HqClient } from '../main/sync/hq-client.js';
import { synchronise, bootstrapWorkspace } from '../main/sync/sync.js';
import { startPostgres, type TestPostgres } from './hq-postgres.js';
import { TestPlant, tempDir } from './helpers.js';
import { FISH_SITE } from '../main/demo/reference.js';
import { Workspace } from '../main/workspace.js';

let pgs: TestPostgres; let hq: HqServer;
beforeAll(async () => { pgs = await startPostgres(); await initCentral(pgs.url); hq = await startHqServer({ url: pgs.url, log: (l) => console.log('HQ', l) }); }, 120_000);
afterAll(async () => { await hq?.close(); await pgs?.stop(); });

test('smoke', async () => {
  const p = new TestPlant().setup().withReference();
  const lot = p.receiveOmul();
  const tok = await createToken(pgs.url, 'fish', false);
  const client = new HqClient(hq.url, tok.token);
  const r1 = await synchronise(p.ws.db, client, { pushRows: 50 });
  console.log(r1);
  const r2 = await synchronise(p.ws.db, client);
  console.log(r2);
  const dir = tempDir();
  const b = await bootstrapWorkspace(dir, { url: hq.url, token: tok.token, siteCode: FISH_SITE.code, station: '2' });
  console.log(b);
  const ws2 = Workspace.open(dir);
  console.log(ws2.info());
  const q = ws2.q.sql('SELECT lot_id, qty_g FROM stock');
  console.log(q, p.ws.q.sql('SELECT lot_id, qty_g FROM stock'));
  ws2.close();
}, 60_000);
