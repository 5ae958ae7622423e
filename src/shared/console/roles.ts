// Operator roles of the relay's console and what each may do. One table, read by the relay's
// guard (src/relay/http/console.ts) and by the console's screens (to hide what a role cannot use).

export const OPERATOR_ROLES = ['viewer', 'support', 'finance', 'admin'] as const
export type OperatorRole = (typeof OPERATOR_ROLES)[number]

export const PERMISSIONS = [
  /** Read every list, detail and report. */
  'read',
  /** Grant or extend a plan with a reason, revoke a device. */
  'accounts.manage',
  /** Fapiao requests: mark issued or refuse. */
  'invoices.manage',
  /** Refunds through the providers. */
  'refunds.create',
  /** Coupons and promotion codes. */
  'coupons.manage',
  /** Publish a catalog version (plans and prices). */
  'catalog.publish',
  /** The audit log, viewed and exported. */
  'audit.read',
  /** Providers' bills imported and matched, differences resolved. */
  'reconciliation.manage',
  /** Other operators: add, change role, disable. */
  'operators.manage'
] as const
export type Permission = (typeof PERMISSIONS)[number]

const ROLE_PERMISSIONS: Record<OperatorRole, readonly Permission[]> = {
  viewer: ['read'],
  support: ['read', 'accounts.manage', 'invoices.manage'],
  finance: ['read', 'refunds.create', 'invoices.manage', 'audit.read', 'reconciliation.manage'],
  admin: PERMISSIONS
}

export function isOperatorRole(value: unknown): value is OperatorRole {
  return typeof value === 'string' && (OPERATOR_ROLES as readonly string[]).includes(value)
}

export function can(role: OperatorRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission)
}

export function permissionsOf(role: OperatorRole): readonly Permission[] {
  return ROLE_PERMISSIONS[role]
}
