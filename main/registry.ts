// The one way an operation runs, whichever host asked (Electron IPC, the browser host, the CLI):
//   input as unknown → validate → authenticate → authorize → one transaction (handler, audit,
//   change log) → the result as a value.
// Nothing a caller sends can throw past this function, and a refused operation changes nothing.
import { z } from 'zod';
import { makeError, type OperationError, type Result } from './contract/errors.js';
import {
  isDeviceOperation,
  isDocumentOperation,
  isSyncOperation,
  isOperationName,
  operations,
  type OperationName,
  type OperationOutput,
  type RegistryOperationName,
} from './contract/operations.js';
import { DomainError } from './core/domain-error.js';
import { validationError } from './core/validation-error.js';
import type { QueryRunner } from './db/query.js';
import { Tx, type Actor } from './db/tx.js';
import { auditHandlers } from './services/audit.js';
import { deviceHandlers } from './services/devices.js';
import { documentHandlers } from './services/documents.js';
import { exportHandlers } from './services/exports.js';
import type { Handler, Handlers } from './services/handler.js';
import { inventoryHandlers } from './services/inventory.js';
import { labHandlers } from './services/lab.js';
import { productionHandlers } from './services/production.js';
import { qualityHandlers } from './services/quality.js';
import { receiptHandlers } from './services/receipts.js';
import { referenceHandlers } from './services/reference.js';
import { scanHandlers } from './services/scans.js';
import { sensorHandlers } from './services/sensors.js';
import { shipmentHandlers } from './services/shipments.js';
import { syncHandlers } from './services/sync.js';
import { traceHandlers } from './services/trace.js';
import { actorOf, homeSiteId, tokenHash, userHandlers } from './services/users.js';
import type { UserRow } from './db/schema.js';

/** Every operation of the contract has exactly one handler; the type fails to compile otherwise. */
const handlers: Handlers<RegistryOperationName> = {
  ...userHandlers,
  ...referenceHandlers,
  ...receiptHandlers,
  ...inventoryHandlers,
  ...qualityHandlers,
  ...productionHandlers,
  ...shipmentHandlers,
  ...traceHandlers,
  ...auditHandlers,
  ...deviceHandlers,
  ...sensorHandlers,
  ...scanHandlers,
  ...labHandlers,
  ...documentHandlers,
  ...exportHandlers,
  ...syncHandlers,
};

/**
 * How a host's caller proves who it is: a session token, or nothing (public operations only).
 * Hosts that relay requests from a renderer or the network can only ever pass this; an actor
 * is accepted solely through `invokeAs`, which only trusted in-process code calls.
 */
export type Credentials = { token: string } | null;

export interface RegistryOptions {
  clock?: () => number;
  /** Check every result against its output schema (on in tests; catches contract drift). */
  validateOutputs?: boolean;
  onInternalError?: (operation: string, error: unknown) => void;
}

const ANONYMOUS = 'anonymous';

export class Registry {
  private readonly clock: () => number;

  constructor(
    private readonly q: QueryRunner,
    private readonly options: RegistryOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** For hosts (IPC, HTTP, WebSocket): who calls is proven by a session token only. */
  invoke<N extends OperationName>(name: N, input: unknown, credentials?: Credentials): Result<OperationOutput<N>>;
  invoke(name: string, input: unknown, credentials?: Credentials): Result<unknown>;
  invoke(name: string, input: unknown, credentials: Credentials = null): Result<unknown> {
    // Only the token is taken from what a host passes on, whatever else the object carries.
    const token = credentials && typeof credentials.token === 'string' ? credentials.token : null;
    return this.execute(name, input, token, null);
  }

  /** For trusted in-process callers that authenticated the user themselves (the CLI, the demo seed). */
  invokeAs<N extends OperationName>(name: N, input: unknown, actor: Actor): Result<OperationOutput<N>>;
  invokeAs(name: string, input: unknown, actor: Actor): Result<unknown> {
    return this.execute(name, input, null, actor);
  }

  /**
   * For the services (devices, documents): validate, authenticate and authorize an operation exactly as
   * `invoke` would, without running anything. Returns the parsed input and who asked.
   */
  admit(name: string, input: unknown, credentials: Credentials = null): Result<{ actor: Actor; input: unknown }> {
    const token = credentials && typeof credentials.token === 'string' ? credentials.token : null;
    return this.admission(name, input, token, null);
  }

  /** `admit` for trusted in-process callers that authenticated the user themselves (the CLI). */
  admitAs(name: string, input: unknown, actor: Actor): Result<{ actor: Actor; input: unknown }> {
    return this.admission(name, input, null, actor);
  }

  /** The registry's clock, for services that stamp what they prepare before writing it. */
  now(): number {
    return this.clock();
  }

  /**
   * For services that did their slow work (rendering) outside any transaction and now write:
   * `write` runs in one immediate transaction with a Tx at `now`, which leaves the operation's
   * audit entry and change-log rows. A `write` that changed no row (it found it must not
   * write) leaves no entry. Refusals and failures come back as Results; nothing is written.
   */
  transact<T>(operation: string, actor: Actor, now: number, write: (tx: Tx) => T): Result<T> {
    try {
      const run = () => {
        const tx = new Tx(this.q, actor, now, operation);
        const value = write(tx);
        if (tx.changes.length > 0) tx.finish();
        return value;
      };
      return { ok: true, value: this.q.db.transaction(run).immediate() };
    } catch (error) {
      return { ok: false, error: this.toError(operation, error) };
    }
  }

  private admission(name: string, input: unknown, token: string | null, trusted: Actor | null): Result<{ actor: Actor; input: unknown }> {
    if (!isOperationName(name)) return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: String(name).slice(0, 80) }) };
    const def = operations[name];
    const parsed = def.input.safeParse(input === undefined ? {} : input);
    if (!parsed.success) return { ok: false, error: validationError(def.input, input, parsed.error) };
    try {
      const actor = trusted ?? this.q.db.transaction(() => this.authenticate(def.permission === 'public' ? null : token, this.clock())).deferred();
      if (def.permission !== 'public') {
        if (!trusted && !actor.userId) throw new DomainError('UNAUTHENTICATED');
        if (!actor.permissions.has(def.permission)) throw new DomainError('FORBIDDEN', { operation: name, permission: def.permission });
      }
      return { ok: true, value: { actor, input: parsed.data } };
    } catch (error) {
      return { ok: false, error: this.toError(name, error) };
    }
  }

  private execute(name: string, input: unknown, token: string | null, trusted: Actor | null): Result<unknown> {
    if (!isOperationName(name)) return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: String(name).slice(0, 80) }) };
    // Hardware operations are served by the device service; the registry alone cannot run them.
    if (isDeviceOperation(name)) return { ok: false, error: makeError('DEVICES_UNAVAILABLE', { operation: name }) };
    if (isDocumentOperation(name)) return { ok: false, error: makeError('SERVICE_UNAVAILABLE', { operation: name, service: 'documents' }) };
    if (isSyncOperation(name)) return { ok: false, error: makeError('SERVICE_UNAVAILABLE', { operation: name, service: 'sync' }) };
    const def = operations[name];
    const parsed = def.input.safeParse(input === undefined ? {} : input);
    if (!parsed.success) return { ok: false, error: validationError(def.input, input, parsed.error) };
    try {
      const now = this.clock();
      const tokenHashValue = token !== null ? tokenHash(token) : null;
      const run = () => {
        // A public operation (login, first-run setup) must work even if the UI still holds a
        // stale token from an expired session.
        const actor = trusted ?? this.authenticate(def.permission === 'public' ? null : token, now);
        if (def.permission !== 'public') {
          // A trusted actor may be a device (no user behind it); from a host, no user means no session.
          if (!trusted && !actor.userId) throw new DomainError('UNAUTHENTICATED');
          if (!actor.permissions.has(def.permission)) {
            throw new DomainError('FORBIDDEN', { operation: name, permission: def.permission });
          }
        }
        const tx = new Tx(this.q, actor, now, name, tokenHashValue);
        const value: unknown = (handlers[name] as Handler<RegistryOperationName>)(tx, parsed.data as never);
        if (this.options.validateOutputs) {
          // Inside the transaction: an output that breaks the contract rolls the write back.
          const checked = def.output.safeParse(value);
          if (!checked.success) throw new Error(`output of ${name}: ${z.prettifyError(checked.error)}`);
        }
        if (def.mutation) tx.finish();
        else if (tx.changes.length > 0) throw new Error(`${name} is declared read-only but wrote ${tx.changes.length} row(s)`);
        return value;
      };
      // Writes take the write lock up front so a check and its write can never interleave with
      // another writer; reads get one consistent snapshot.
      const txn = this.q.db.transaction(run);
      return { ok: true, value: def.mutation ? txn.immediate() : txn.deferred() };
    } catch (error) {
      return { ok: false, error: this.toError(name, error) };
    }
  }

  private authenticate(token: string | null, now: number): Actor {
    const siteId = homeSiteId(this.q) ?? '';
    if (token === null) return { userId: null, username: ANONYMOUS, siteId, roles: [], permissions: new Set() };
    const session = this.q.sql<{ expires_at: number; revoked_at: number | null } & UserRow>(
      `SELECT s.expires_at, s.revoked_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
      tokenHash(token),
    )[0];
    if (!session) throw new DomainError('UNAUTHENTICATED');
    if (session.revoked_at !== null || session.expires_at <= now || session.active !== 1) {
      throw new DomainError('SESSION_EXPIRED');
    }
    return actorOf(session);
  }

  private toError(operation: string, error: unknown): OperationError {
    if (error instanceof DomainError) return error.error;
    const code = (error as { code?: unknown })?.code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return makeError('INTERNAL', { details: 'the workspace is busy with another program; try again' });
    }
    this.options.onInternalError?.(operation, error);
    return makeError('INTERNAL', { details: error instanceof Error ? error.message : String(error) });
  }
}
