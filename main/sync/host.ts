// The sync service as every host runs it: progress to the windows, and a finished exchange
// (on the timer or on demand) tells them the workspace and the sync status changed.
import type { EventHub } from '../host/events.js';
import type { Workspace } from '../workspace.js';
import { SyncService } from './service.js';

export function syncService(workspace: Workspace, events: EventHub): SyncService {
  return new SyncService(workspace, {
    onProgress: (progress) => events.publish('job.progress', progress),
    onFinished: () => events.publish('workspace.changed', { operation: 'sync.run' }),
  });
}
