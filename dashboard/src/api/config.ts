import type { ConfigObject, ConfigVersion, ObjectData } from '../../../contract/config';
import { del, get, post, put } from './http';

export type { ConfigObject, ConfigVersion, ObjectData };
interface List<T> { total: number; items: T[] }
interface Written { object: ConfigObject; version: ConfigVersion | null }

/** Where each kind's write API is (core/config/routes.ts, mounted by the area that owns the kind). */
const BASE: Record<string, string> = {
  target: '/api/collector/config/targets',
  module: '/api/collector/config/modules',
  rule: '/api/alerts/config/rules',
  receiver: '/api/alerts/config/receivers',
};
export type ConfigKindName = keyof typeof BASE & string;
const at = (kind: string, id?: string, tail = '') => `${BASE[kind]}${id === undefined ? '' : '/' + encodeURIComponent(id)}${tail}`;

/** The configuration store's write API; a refused write throws ApiError with `problems` (field, Chinese message). */
export const config = {
  list: (kind: ConfigKindName): Promise<List<ConfigObject> | null> => get(at(kind)),
  get: (kind: ConfigKindName, id: string): Promise<ConfigObject | null> => get(at(kind, id)),
  history: (kind: ConfigKindName, id: string): Promise<List<ConfigVersion> | null> => get(at(kind, id, '/history')),
  create: (kind: ConfigKindName, data: ObjectData, reason?: string): Promise<Written> => post(at(kind), { data, ...(reason ? { reason } : {}) }),
  update: (kind: ConfigKindName, id: string, data: ObjectData, reason?: string): Promise<Written> => put(at(kind, id), { data, ...(reason ? { reason } : {}) }),
  clone: (kind: ConfigKindName, id: string, newId: string): Promise<Written> => post(at(kind, id, '/clone'), { id: newId }),
  setEnabled: (kind: ConfigKindName, id: string, on: boolean): Promise<Written> => post(at(kind, id, on ? '/enable' : '/disable'), {}),
  archive: (kind: ConfigKindName, id: string): Promise<Written> => del(at(kind, id)),
  rollback: (kind: ConfigKindName, id: string, version: number): Promise<Written> => post(at(kind, id, '/rollback'), { version }),
};
