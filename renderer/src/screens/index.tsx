// The screens of the workspace and who may open them (any one of the listed permissions).
import type { ReactNode } from 'react';
import type { Permission } from '../../../main/contract/roles';
import { DashboardScreen } from './Dashboard';
import { DocumentsScreen } from './Documents';
import { Exchange1cScreen } from './Exchange1c';
import { ProductionScreen } from './Production';
import { QualityScreen } from './Quality';
import { ReceiptsScreen } from './Receipts';
import { SettingsScreen } from './Settings';
import { ShipmentsScreen } from './Shipments';
import { StockScreen } from './Stock';
import { SyncScreen } from './Sync';
import { TemperatureScreen } from './Temperature';
import { TraceScreen } from './Trace';

export type ScreenId = 'dashboard' | 'receipts' | 'stock' | 'quality' | 'production' | 'shipments' | 'trace' | 'temperature' | 'documents' | 'exchange1c' | 'sync' | 'settings';

export interface ScreenDef {
  id: ScreenId;
  any: Permission[];
  render(): ReactNode;
}

export const SCREENS: ScreenDef[] = [
  { id: 'dashboard', any: ['stock.read'], render: () => <DashboardScreen /> },
  { id: 'receipts', any: ['receipt.create'], render: () => <ReceiptsScreen /> },
  { id: 'stock', any: ['stock.read'], render: () => <StockScreen /> },
  { id: 'quality', any: ['quality.inspect'], render: () => <QualityScreen /> },
  { id: 'production', any: ['production.plan', 'production.execute'], render: () => <ProductionScreen /> },
  { id: 'shipments', any: ['shipment.manage'], render: () => <ShipmentsScreen /> },
  { id: 'trace', any: ['trace.read'], render: () => <TraceScreen /> },
  // Everyone watches the cold chain; acknowledging an alert needs 'alerts.acknowledge' (checked inside).
  { id: 'temperature', any: ['session'], render: () => <TemperatureScreen /> },
  // Everyone may find and reprint an issued document; issuing and voiding are checked inside.
  { id: 'documents', any: ['session'], render: () => <DocumentsScreen /> },
  { id: 'exchange1c', any: ['exports.1c'], render: () => <Exchange1cScreen /> },
  // Everyone sees how this PC's replication stands and may run it; settings and conflicts need 'sync.manage' (checked inside).
  { id: 'sync', any: ['session'], render: () => <SyncScreen /> },
  { id: 'settings', any: ['reference.write', 'users.manage', 'devices.manage'], render: () => <SettingsScreen /> },
];
