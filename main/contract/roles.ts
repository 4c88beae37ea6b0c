// Roles and what each may do. Pure: the renderer shapes its navigation from the same table.

export const ROLES = [
  'admin',
  'production_manager',
  'quality_inspector',
  'inventory_clerk',
  'export_officer',
  'operator',
  'maintenance',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'session', // any logged-in user: own session, read basic reference data
  'reference.write',
  'receipt.create',
  'stock.read',
  'stock.move',
  'stock.adjust',
  'quality.inspect',
  'quality.verify',
  'quality.templates',
  'production.plan',
  'production.execute',
  'shipment.manage',
  'shipment.ship',
  'trace.read',
  'users.manage',
  'audit.read',
  'workspace.admin',
  'devices.manage', // configure devices of this PC, list ports, test
  'devices.use', // capture weights, zero/tare, print labels
  'alerts.acknowledge', // acknowledge temperature alerts (HACCP)
  'documents.issue', // issue and reissue numbered documents (certificates, export set, recall reports)
  'documents.void', // void an issued document with a reason
  'exports.1c', // write the period's stock documents for 1C (EnterpriseData), see and save past exports
  'sync.manage', // headquarters address and access key of this PC, schedule, conflicts
  'devices.record', // devices themselves: sensor samples, lab results (never a person's role)
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL = PERMISSIONS.filter((p) => p !== 'session' && p !== 'devices.record');

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  production_manager: [
    'stock.read',
    'stock.move',
    'production.plan',
    'production.execute',
    'trace.read',
    'reference.write',
    'devices.use',
    'alerts.acknowledge',
  ],
  quality_inspector: [
    'stock.read',
    'quality.inspect',
    'quality.verify',
    'quality.templates',
    'trace.read',
    'devices.use',
    'alerts.acknowledge',
    'documents.issue',
    'documents.void',
  ],
  // The storekeeper and the export office hand the stock documents over to accounting (1C).
  inventory_clerk: ['stock.read', 'receipt.create', 'stock.move', 'stock.adjust', 'trace.read', 'devices.use', 'exports.1c'],
  export_officer: ['stock.read', 'shipment.manage', 'shipment.ship', 'trace.read', 'devices.use', 'documents.issue', 'exports.1c'],
  operator: ['stock.read', 'receipt.create', 'production.execute', 'stock.move', 'devices.use'],
  maintenance: ['stock.read', 'devices.manage', 'devices.use', 'alerts.acknowledge'],
};

export const ROLE_NAMES: Record<Role, { ru: string; en: string }> = {
  admin: { ru: 'Администратор', en: 'Administrator' },
  production_manager: { ru: 'Начальник производства', en: 'Production manager' },
  quality_inspector: { ru: 'Контролёр качества', en: 'Quality inspector' },
  inventory_clerk: { ru: 'Кладовщик', en: 'Inventory clerk' },
  export_officer: { ru: 'Специалист по экспорту', en: 'Export officer' },
  operator: { ru: 'Оператор линии', en: 'Line operator' },
  maintenance: { ru: 'Техническая служба', en: 'Maintenance' },
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  const granted = new Set<Permission>(['session']);
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) granted.add(p);
  return granted;
}
