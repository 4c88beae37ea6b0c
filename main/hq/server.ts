// The headquarters sync service (`plantdesk hq serve`): the only thing plant PCs talk to. It
// holds the central database's credentials (a PC holds only its access key), takes gzip-compressed
// JSON batches over HTTP(S), and answers with the contract's errors in Russian and English.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import pg from 'pg';
import { z } from 'zod';
import { makeError, type OperationError } from '../contract/errors.js';
import { checkChange, healthResponse, MAX_BATCH_BYTES, pullRequest, pushEnvelope, snapshotRequest, SYNC_PROTOCOL, type PushRequest } from '../contract/sync.js';
import { DomainError } from '../core/domain-error.js';
import { LATEST_VERSION } from '../db/migrations.js';
import { tokenHash } from './admin.js';
import { readCentralTables, type CentralTables } from './central-tables.js';
import { readPullPage, streamSnapshot } from './pull.js';
import { applyPush } from './push.js';
import { CENTRAL_VERSION, safeUrl } from './schema.js';

/**
 * Workspace schema versions whose changes are accepted: the current and the previous one (a
 * site may update PlantDesk days after headquarters). An older client keeps its changes and is
 * told to update; a newer one is told headquarters must be updated first.
 */
export const ACCEPTED_SCHEMA_VERSIONS = [LATEST_VERSION - 1, LATEST_VERSION] as const;

export interface HqServerOptions {
  url: string;
  port?: number;
  host?: string;
  tls?: { cert: string; key: string };
  /** The server's clock (tests move it). */
  now?: () => number;
  poolSize?: number;
  log?: (line: string) => void;
}

export interface HqServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const STATUS: Partial<Record<OperationError['code'], number>> = {
  SYNC_BAD_REQUEST: 400,
  VALIDATION: 400,
  SYNC_UNAUTHORIZED: 401,
  SYNC_GAP: 409,
  SYNC_SERVER_TOO_OLD: 409,
  SYNC_CLIENT_TOO_OLD: 426,
  SYNC_FAILED: 503,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: OperationError,
  ) {
    super(error.message.en);
  }
}

export async function startHqServer(options: HqServerOptions): Promise<HqServer> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 8, connectionTimeoutMillis: 10_000 });
  // An idle connection dropped by a restarting server must not take the service down with it.
  pool.on('error', (error) => log(`central database connection lost: ${error.message}`));
  let tables: CentralTables;
  try {
    const migrated = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM kysely_migration`).then(
      (r) => Number(r.rows[0]!.n),
      (error: Error & { code?: string }) => {
        if (error.code === '42P01') return 0; // no migrations table: never initialised
        throw new DomainError('HQ_UNREACHABLE', { server: safeUrl(options.url), reason: error.message || error.name });
      },
    );
    if (migrated < CENTRAL_VERSION) throw new Error(`the central schema at ${safeUrl(options.url)} is not at version ${CENTRAL_VERSION}: run "plantdesk hq init" first`);
    tables = await readCentralTables(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/health') {
      const health: z.infer<typeof healthResponse> = { service: 'plantdesk-hq', protocol: SYNC_PROTOCOL, schema_versions: [...ACCEPTED_SCHEMA_VERSIONS], server_time: now() };
      return sendJson(req, res, 200, JSON.stringify(health));
    }
    if (req.method !== 'POST' || !['/v1/push', '/v1/pull', '/v1/snapshot'].includes(path ?? '')) {
      throw new HttpError(404, makeError('SYNC_BAD_REQUEST', { details: `no such endpoint: ${req.method} ${path}` }));
    }
    const started = performance.now();
    const token = await authenticate(req);
    const body = await readJson(req);
    const read = performance.now();
    checkVersions(body);
    if (path === '/v1/push') {
      const batch = parsePush(body);
      await bindSite(token, batch.site_id);
      const checked = performance.now();
      const result = await applyPush({ pool, tables, now }, batch);
      const ms = (from: number, to: number) => Math.round(to - from);
      log(
        `push ${batch.origin_id} ${batch.first_seq}..${batch.last_seq}: ${result.applied} applied, ${result.skipped} skipped, ${result.conflicts.length} conflicts ` +
          `(received ${ms(started, read)} ms, checked ${ms(read, checked)} ms, stored ${ms(checked, performance.now())} ms)`,
      );
      return sendJson(req, res, 200, JSON.stringify(result));
    }
    if (path === '/v1/pull') {
      const request = parse(pullRequest, body);
      await bindSite(token, request.site_id);
      const page = await readPullPage(pool, request);
      return sendJson(req, res, 200, `{"rows":${page.json},"next":${page.next},"more":${page.more},"head":${page.head},"server_time":${now()}}`);
    }
    const request = parse(snapshotRequest, body);
    const site = (await pool.query<{ id: string }>('SELECT id FROM sites WHERE code = $1', [request.site_code])).rows[0];
    if (!site) throw new HttpError(404, makeError('SYNC_BAD_REQUEST', { details: `headquarters has no site with code ${request.site_code}` }));
    await bindSite(token, site.id);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip' });
    const gzip = createGzip({ level: 1 });
    gzip.pipe(res);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      const count = await streamSnapshot(pool, site.id, now(), gzip, gone.signal);
      log(`snapshot of ${request.site_code} for ${request.origin_id}: ${count} rows`);
    } finally {
      gzip.end();
    }
  };

  interface Token {
    id: string;
    site_id: string | null;
  }

  const authenticate = async (req: IncomingMessage): Promise<Token> => {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) throw new HttpError(401, makeError('SYNC_UNAUTHORIZED', { reason: 'no access key was sent' }));
    const row = (
      await pool.query<Token>('UPDATE hq_tokens SET last_used_at = now() WHERE token_sha256 = $1 AND revoked_at IS NULL RETURNING id, site_id', [tokenHash(auth.slice(7))])
    ).rows[0];
    if (!row) throw new HttpError(401, makeError('SYNC_UNAUTHORIZED', { reason: 'the key is unknown or revoked' }));
    return row;
  };

  /** A key is bound to the first site that uses it; afterwards it speaks for that site only. */
  const bindSite = async (token: Token, siteId: string): Promise<void> => {
    if (token.site_id === null) {
      const bound = await pool.query<{ site_id: string }>(
        'UPDATE hq_tokens SET site_id = COALESCE(site_id, $2) WHERE id = $1 RETURNING site_id',
        [token.id, siteId],
      );
      token.site_id = bound.rows[0]!.site_id;
    }
    if (token.site_id !== siteId) throw new HttpError(403, makeError('SYNC_UNAUTHORIZED', { reason: 'the key belongs to another site' }));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      const { status, body } = errorResponse(error, options.url);
      if (status >= 500) log(`${req.method} ${req.url}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (res.headersSent) return void res.destroy();
      sendJson(req, res, status, JSON.stringify({ error: body }));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, onRequest)
    : createHttpServer(onRequest);
  server.requestTimeout = 10 * 60_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await pool.end();
    },
  };
}

function checkVersions(body: unknown): void {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as { protocol?: unknown; schema_version?: unknown };
  const client = typeof fields.schema_version === 'number' ? fields.schema_version : 0;
  const protocol = typeof fields.protocol === 'number' ? fields.protocol : 0;
  const accepted = ACCEPTED_SCHEMA_VERSIONS.join(', ');
  if (protocol < SYNC_PROTOCOL || (client > 0 && client < ACCEPTED_SCHEMA_VERSIONS[0])) {
    throw new HttpError(426, makeError('SYNC_CLIENT_TOO_OLD', { client, accepted }));
  }
  if (protocol > SYNC_PROTOCOL || client > ACCEPTED_SCHEMA_VERSIONS[1]) {
    throw new HttpError(409, makeError('SYNC_SERVER_TOO_OLD', { server: ACCEPTED_SCHEMA_VERSIONS[1], client }));
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, makeError('SYNC_BAD_REQUEST', { details: z.prettifyError(parsed.error).slice(0, 500) }));
  return parsed.data;
}

function parsePush(body: unknown): PushRequest {
  const envelope = parse(pushEnvelope, body);
  const changes = envelope.changes.map((value, i) => {
    const change = checkChange(value);
    if (typeof change === 'string') throw new HttpError(400, makeError('SYNC_BAD_REQUEST', { details: `changes[${i}]: ${change}` }));
    return change;
  });
  return { ...envelope, changes };
}

/** The request body, gunzipped if sent so, refused past MAX_BATCH_BYTES uncompressed. */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    const gzipped = req.headers['content-encoding'] === 'gzip';
    const source = gzipped ? req.pipe(createGunzip()) : req;
    const chunks: Buffer[] = [];
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BATCH_BYTES) {
        source.destroy();
        reject(new HttpError(413, makeError('SYNC_BAD_REQUEST', { details: `request over ${MAX_BATCH_BYTES} bytes` })));
      } else chunks.push(chunk);
    });
    source.on('error', (error: Error) => reject(new HttpError(400, makeError('SYNC_BAD_REQUEST', { details: `request body: ${error.message}` }))));
    source.on('end', () => {
      try {
        resolveBody(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(new HttpError(400, makeError('SYNC_BAD_REQUEST', { details: `request body: ${(error as Error).message}` })));
      }
    });
  });
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, json: string): void {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && json.length > 1024;
  const body = gzip ? gzipSync(json, { level: 1 }) : Buffer.from(json);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(body);
}

/** PostgreSQL's classes of errors that mean the database, not the request, failed. */
const UNAVAILABLE = /^(08|53|57|58)/;

function errorResponse(error: unknown, url: string): { status: number; body: OperationError } {
  if (error instanceof HttpError) return { status: error.status, body: error.error };
  if (error instanceof DomainError) return { status: STATUS[error.code] ?? 400, body: error.error };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(22|23)/.test(code)) {
    return { status: 400, body: makeError('SYNC_BAD_REQUEST', { details: (error as Error).message }) };
  }
  const down = (typeof code === 'string' && (UNAVAILABLE.test(code) || code.startsWith('E'))) || /terminat|Connection|ECONN/i.test(String((error as Error)?.message));
  return {
    status: 503,
    body: makeError('SYNC_FAILED', { reason: down ? `the central database ${safeUrl(url)} is not available` : 'internal error at headquarters' }),
  };
}
