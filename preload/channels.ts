// IPC channel names shared by the Electron entry and the preload (no `electron` import here).
export const IPC_INVOKE = 'plantdesk:invoke';
export const IPC_EVENT = 'plantdesk:event';
