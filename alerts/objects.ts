import type { ConfigKind, ObjectData } from '../core/config/store';
import type { Principal } from '../core/auth/service';
import { allows, isFullAdmin } from '../core/auth/roles';
import { ruleSchema } from './config';

/** The team a rule belongs to: as written, or its type's default (content and certificate rules are security's). */
function ruleTeam(data: ObjectData): string {
  const r = ruleSchema.safeParse(data);
  return r.success ? r.data.team : typeof data.team === 'string' ? data.team : 'ops';
}

/** ops writes the ops team's rules, security its own, admin every rule; the regulator none (README: 统一配置). */
function mayWriteTeam(p: Principal, team: string | undefined): boolean {
  if (team === 'ops') return allows(p, 'alerts:ops:write');
  if (team === 'security') return allows(p, 'alerts:security:write');
  return isFullAdmin(p);
}

/**
 * The alerts area's kinds of configuration objects (core/config/store.ts): rules, receivers and the routing tree,
 * written through /api/alerts/config/{rules,receivers,route} and validated by the `alerts:` section's schema (alerts/config.ts).
 */
export const ALERTS_KINDS: ConfigKind[] = [
  {
    kind: 'rule', section: 'alerts', key: 'rules', idKey: 'name', label: '告警规则', enabledKey: 'enabled',
    canWrite: (p, d) => mayWriteTeam(p, ruleTeam(d)), needs: '该规则所属团队的 alerts:<团队>:write（运维的规则：运维；安全的规则：安全；或管理员）',
  },
  {
    kind: 'receiver', section: 'alerts', key: 'receivers', idKey: 'name', label: '接收者',
    canWrite: (p, d) => (typeof d.team === 'string' ? mayWriteTeam(p, d.team) : isFullAdmin(p)), needs: '接收者所属团队的写权限（未指定团队的共享接收者：管理员）',
  },
  // The routing tree (alerts.route) is one object: the whole tree, one version per change. It routes every team's
  // alerts, so only the admin writes it (like a shared receiver); in the file it is read-only like any file object.
  {
    kind: 'route', section: 'alerts', key: 'route', idKey: 'id', singleton: 'root', label: '告警路由树',
    canWrite: (p) => isFullAdmin(p), needs: '管理员（路由树决定所有团队的告警发给谁）',
  },
];
