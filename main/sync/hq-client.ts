// Talking to the headquarters sync service: gzip JSON over HTTP(S) with the PC's access key.
// Network failures and the server's refusals both come back as DomainErrors a user can read.
import { Readable } from 'node:stream';
import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { ERROR_MESSAGES, type OperationError } from '../contract/errors.js';
import { checkPulledRow, pullEnvelope, pushResponse, type PullRequest, type PullResponse, type PushResponse, type SnapshotRequest } from '../contract/sync.js';
import { DomainError } from '../core/domain-error.js';

const gzip = promisify(gzipCallback);

/** Request bodies are gzip level 1: most of the size gone at a fraction of the time of the default level. Runs off the main thread. */
export function compress(json: string): Promise<Buffer> {
  return gzip(json, { level: 1 });
}

/** A request that gets no answer in this time is taken as a broken connection. */
const REQUEST_TIMEOUT_MS = 120_000;

export class HqClient {
  readonly base: string;
  constructor(
    url: string,
    private readonly token: string,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DomainError('VALIDATION', { details: `not a URL: ${url}` });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new DomainError('VALIDATION', { details: 'the headquarters address must start with http:// or https://' });
    this.base = parsed.toString().replace(/\/$/, '');
  }

  /** The body is JSON text already (a push splices the change log's JSON without parsing it), or that text compressed by `compress`. */
  async push(body: string | Buffer): Promise<PushResponse> {
    return pushResponse.parse(await this.post('/v1/push', body));
  }

  async pull(request: PullRequest): Promise<PullResponse> {
    const envelope = pullEnvelope.parse(await this.post('/v1/pull', JSON.stringify(request)));
    const rows = envelope.rows.map((value, i) => {
      const row = checkPulledRow(value);
      if (typeof row === 'string') throw new DomainError('SYNC_FAILED', { reason: `${this.base}: row ${i + 1} of the page: ${row}` });
      return row;
    });
    return { ...envelope, rows };
  }

  /** The snapshot as lines of JSON, streamed as they arrive. */
  async *snapshot(request: SnapshotRequest): AsyncGenerator<unknown> {
    // A snapshot may take longer than any fixed limit: it is given up only when nothing arrives
    // for REQUEST_TIMEOUT_MS.
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await this.fetch('/v1/snapshot', await compress(JSON.stringify(request)), idle.signal);
      if (!res.ok) throw await refusal(res);
      if (!res.body) throw this.broken('no body');
      const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      // fetch has undone the gzip already.
      try {
        for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
          clearTimeout(timer);
          timer = setTimeout(() => idle.abort(), REQUEST_TIMEOUT_MS);
          if (line) yield JSON.parse(line);
        }
      } catch (error) {
        throw error instanceof SyntaxError ? this.broken('the snapshot was cut off') : this.networkError(error);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async post(path: string, body: string | Buffer): Promise<unknown> {
    const res = await this.fetch(path, typeof body === 'string' ? await compress(body) : body);
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw this.networkError(error);
    }
    if (!res.ok) throw refusalFrom(res.status, text, this.base);
    try {
      return JSON.parse(text);
    } catch {
      throw this.broken('the answer was cut off');
    }
  }

  private async fetch(path: string, body: Buffer, signal: AbortSignal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)): Promise<Response> {
    try {
      return await fetch(this.base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Accept-Encoding': 'gzip', Authorization: `Bearer ${this.token}` },
        body,
        signal,
      });
    } catch (error) {
      throw this.networkError(error);
    }
  }

  private networkError(error: unknown): DomainError {
    if (error instanceof DomainError) return error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return new DomainError('HQ_UNREACHABLE', { server: this.base, reason });
  }

  private broken(reason: string): DomainError {
    return new DomainError('SYNC_FAILED', { reason: `${this.base}: ${reason}` });
  }
}

async function refusal(res: Response): Promise<DomainError> {
  return refusalFrom(res.status, await res.text().catch(() => ''), res.url);
}

/** The server's error as it sent it, or a plain one naming the HTTP status. */
function refusalFrom(status: number, text: string, server: string): DomainError {
  try {
    const error = (JSON.parse(text) as { error?: OperationError }).error;
    if (error && typeof error.code === 'string' && error.code in ERROR_MESSAGES && error.message?.ru && error.message.en) return DomainError.of(error);
  } catch {
    // not ours: a proxy's error page
  }
  return new DomainError('SYNC_FAILED', { reason: `${server} answered HTTP ${status}` });
}
