import type { ConfigImportResult, ConfigObject, ConfigVersion, ObjectData } from '../../../contract/config';
import type { CataloguePreview } from '../../../contract/catalogue';
import type { Page } from '../../../contract/common';
import { ApiError, del, get, post, put, qs, unauthenticated } from './http';

export type { ConfigImportResult, ConfigObject, ConfigVersion, ObjectData, CataloguePreview };
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
  /** One page searched and filtered on the server (q, module, department, enabled, managed, limit, offset), with the kind's departments. */
  page: (kind: ConfigKindName, q: Record<string, string | number>): Promise<(Page<ConfigObject> & { departments: string[] }) | null> => get(at(kind), q),
  get: (kind: ConfigKindName, id: string): Promise<ConfigObject | null> => get(at(kind, id)),
  history: (kind: ConfigKindName, id: string): Promise<List<ConfigVersion> | null> => get(at(kind, id, '/history')),
  create: (kind: ConfigKindName, data: ObjectData, reason?: string): Promise<Written> => post(at(kind), { data, ...(reason ? { reason } : {}) }),
  update: (kind: ConfigKindName, id: string, data: ObjectData, reason?: string): Promise<Written> => put(at(kind, id), { data, ...(reason ? { reason } : {}) }),
  clone: (kind: ConfigKindName, id: string, newId: string): Promise<Written> => post(at(kind, id, '/clone'), { id: newId }),
  setEnabled: (kind: ConfigKindName, id: string, on: boolean): Promise<Written> => post(at(kind, id, on ? '/enable' : '/disable'), {}),
  archive: (kind: ConfigKindName, id: string): Promise<Written> => del(at(kind, id)),
  rollback: (kind: ConfigKindName, id: string, version: number): Promise<Written> => post(at(kind, id, '/rollback'), { version }),
  /** Many switched on or off in one transaction (POST …/bulk); those that cannot be are listed with why. */
  setEnabledMany: (kind: ConfigKindName, ids: string[], enabled: boolean): Promise<{ changed: string[]; unchanged: string[]; refused: { id: string; code: string; message: string }[] }> =>
    post(at(kind, undefined, '/bulk'), { ids, enabled }),
  /**
   * The interface catalogue (POST /api/collector/config/catalogue, the file itself as the body): a preview with
   * dryRun, else applied. A refused file throws ApiError with the server's message.
   */
  async catalogue(file: Blob, opts: { name?: string; dryRun: boolean; archiveMissing?: boolean }): Promise<CataloguePreview> {
    const q = qs({ name: opts.name, dryRun: opts.dryRun ? '1' : undefined, archiveMissing: opts.archiveMissing ? '1' : undefined });
    const res = await fetch(`/api/collector/config/catalogue${q}`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream' }, body: file });
    const data = await res.json().catch(() => null);
    if (res.status === 401) unauthenticated();
    if (!res.ok || !data) throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`, data?.error?.problems ?? []);
    return data as CataloguePreview;
  },
  /** The running configuration as YAML, as `config export` writes it (admin; GET /api/config/export, a download). */
  exportUrl: '/api/config/export',
  /**
   * Imports a YAML document (admin; POST /api/config/import): with dryRun the exact diff against what runs, else applied
   * in one transaction. A document with problems answers them (with their lines) and nothing is applied; a refusal
   * of another kind (a syntax error, no permission) throws ApiError.
   */
  async importYaml(yaml: string, opts: { dryRun: boolean; prune?: boolean; reason?: string; name?: string }): Promise<ConfigImportResult> {
    const res = await fetch('/api/config/import', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ yaml, ...opts }) });
    const data = await res.json().catch(() => null);
    if (res.status === 401) unauthenticated();
    if (res.status === 422 && data?.error?.result) return data.error.result as ConfigImportResult;
    if (!res.ok || !data) throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`, data?.error?.problems ?? []);
    return data as ConfigImportResult;
  },
};
