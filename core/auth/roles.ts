export const ROLES = ['admin', 'ops', 'security', 'regulator', 'department'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES_ZH: Record<Role, string> = {
  admin: '管理员',
  ops: '运维',
  security: '安全',
  regulator: '数据直报/监管科',
  department: '部门联络人',
};

/**
 * What each role may do. Reading health, alerts and reporting status is open to every signed-in user; writing is
 * limited to the team that owns the thing. admin may do everything. A `department` user (a department's contact for
 * 通报) has no `read`: it sees only the notices of its own department (alerts/notices) and answers them.
 */
export const PERMISSIONS = {
  read: ['ops', 'security', 'regulator'],
  'targets:write': ['ops'],
  'baseline:approve': ['ops', 'security'],
  'alerts:ops:write': ['ops'],
  'alerts:security:write': ['security'],
  'alerts:regulator:write': ['regulator'],
  'reporter:write': ['regulator'],
  'reporter:ingest': ['regulator'],
  'heartbeat:push': ['ops'],
  /** Sending interface call records (a log shipper's token). */
  'calls:ingest': ['ops'],
  'notices:issue': ['security'],
  'notices:read': ['security', 'ops'],
  'notices:respond': ['department'],
  'users:admin': [],
  'system:backup': [],
  /** Exporting and importing the whole configuration (GET /api/config/export, POST /api/config/import). */
  'config:admin': [],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, perm: Permission): boolean {
  return role === 'admin' || (PERMISSIONS[perm] as readonly Role[]).includes(role);
}

/** Who is asking, as far as permissions go: a role, and the scopes of an API token that has them. */
export interface Grantee {
  role: Role;
  scopes?: readonly string[];
}

/**
 * What a caller may do: its role's permissions, narrowed to its scopes when it is a scoped API token (issue #16: a
 * token scoped `read` writes nothing, whatever its role). Every permission check goes through this, not `can`.
 */
export function allows(p: Grantee, perm: Permission): boolean {
  return can(p.role, perm) && (!p.scopes?.length || p.scopes.includes(perm));
}

/** An admin without narrower scopes (a signed-in admin, an unscoped admin token): what only admin may do. */
export function isFullAdmin(p: Grantee): boolean {
  return p.role === 'admin' && !p.scopes?.length;
}
