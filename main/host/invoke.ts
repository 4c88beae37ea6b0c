// What every host does with a request from a window: run it through the registry with the
// window's session token only, and tell all windows when the workspace changed.
import { makeError, type Result } from '../contract/errors.js';
import { isOperationName, operations } from '../contract/operations.js';
import type { Workspace } from '../workspace.js';
import type { EventHub } from './events.js';

export interface HostRequest {
  operation: unknown;
  input: unknown;
  session: unknown;
}

export function handleRequest(workspace: Workspace, events: EventHub, request: HostRequest): Result<unknown> {
  const name = typeof request.operation === 'string' ? request.operation : '';
  const session = typeof request.session === 'string' && request.session.length > 0 ? { token: request.session } : null;
  if (!isOperationName(name)) return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: name.slice(0, 80) }) };
  const result = workspace.invoke(name, request.input, session);
  if (result.ok && operations[name].mutation) events.publish('workspace.changed', { operation: name });
  return result;
}
