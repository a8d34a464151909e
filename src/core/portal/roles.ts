/**
 * What each of a merchant's portal users may do. The admin does everything, users included. The developer builds
 * the integration: payments and their callbacks (replay), sales units and API keys, the recorded API calls and the
 * integration checklist — but not the money that leaves (settlements, payouts, transaction reports). The accountant
 * follows the money: payments, exports, settlements and transaction reports (subscribing, downloading) — but never
 * touches keys, replays calls to the shop's server or reads the API traffic (request ids, headers: a developer's tools).
 */
export const PORTAL_ROLES = ['admin', 'developer', 'accountant'] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

export const PORTAL_PERMISSIONS = {
  viewPayments: ['admin', 'developer', 'accountant'],
  exportPayments: ['admin', 'developer', 'accountant'],
  viewSalesUnits: ['admin', 'developer', 'accountant'],
  replayCallbacks: ['admin', 'developer'],
  manageKeys: ['admin', 'developer'],
  viewSettlements: ['admin', 'accountant'],
  viewIntegration: ['admin', 'developer'],
  manageReports: ['admin', 'accountant'],
  manageUsers: ['admin'],
} as const satisfies Record<string, readonly PortalRole[]>;

export type PortalPermission = keyof typeof PORTAL_PERMISSIONS;

export function isPortalRole(role: string): role is PortalRole {
  return (PORTAL_ROLES as readonly string[]).includes(role);
}

export function roleMay(role: string, permission: PortalPermission): boolean {
  return (PORTAL_PERMISSIONS[permission] as readonly string[]).includes(role);
}
