// What every host does with a request from a window: run it with the window's session token
// only — hardware operations in the device service, document rendering in the document
// service, the rest in the registry — and tell all windows when the workspace changed.
import { makeError, type Result } from '../contract/errors.js';
import { isDeviceOperation, isDocumentOperation, isOperationName, isSyncOperation, operations } from '../contract/operations.js';
import type { DeviceService } from '../devices/service.js';
import type { DocumentService } from '../documents/service.js';
import type { SyncService } from '../sync/service.js';
import type { Workspace } from '../workspace.js';
import type { EventHub } from './events.js';

export interface HostRequest {
  operation: unknown;
  input: unknown;
  session: unknown;
}

/**
 * `devices` is the device service of this PC; without one (a host that does not own the
 * hardware), device operations are answered by the registry with DEVICES_UNAVAILABLE.
 * `documents` serves documents.issue/reissue, `sync` the exchange with headquarters; without
 * them the registry answers SERVICE_UNAVAILABLE.
 */
export async function handleRequest(
  workspace: Workspace,
  events: EventHub,
  request: HostRequest,
  devices?: DeviceService,
  documents?: DocumentService,
  sync?: SyncService,
): Promise<Result<unknown>> {
  const name = typeof request.operation === 'string' ? request.operation : '';
  const session = typeof request.session === 'string' && request.session.length > 0 ? { token: request.session } : null;
  if (!isOperationName(name)) return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: name.slice(0, 80) }) };
  if (devices && isDeviceOperation(name)) return devices.invokeDevice(name, request.input, session);
  const result =
    documents && isDocumentOperation(name)
      ? await documents.invokeDocument(name, request.input, session)
      : sync && isSyncOperation(name)
      ? await sync.invokeSync(name, request.input, session)
      : workspace.invoke(name, request.input, session);
  // Whether an exchange runs now is known to the sync service only.
  if (result.ok && name === 'sync.status' && sync) (result.value as { running: boolean }).running = sync.isRunning;
  if (result.ok && operations[name].mutation) events.publish('workspace.changed', { operation: name });
  // The saved settings take effect now: changed devices are reopened, removed ones closed.
  if (result.ok && name === 'devices.save') void devices?.manager.reload();
  return result;
}
