import type { ConfigKind } from '../core/config/store';
import { allows } from '../core/auth/roles';

/**
 * The collector's kinds of configuration objects (core/config/store.ts): modules and targets, written through
 * /api/collector/config/{modules,targets} and validated by the `collector:` section's own schema (collector/config.ts).
 * ops and admin manage them.
 */
export const COLLECTOR_KINDS: ConfigKind[] = [
  { kind: 'module', section: 'collector', key: 'modules', idKey: 'id', label: '模块', canWrite: (p) => allows(p, 'targets:write'), needs: 'targets:write（运维或管理员）' },
  { kind: 'target', section: 'collector', key: 'targets', idKey: 'id', label: '监测对象', enabledKey: 'enabled', canWrite: (p) => allows(p, 'targets:write'), needs: 'targets:write（运维或管理员）' },
];
