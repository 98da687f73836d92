import type { Page } from '../../../contract/common';
import type { Alert, AlertState, Delivery, MaintenanceWindow, NewMaintenanceWindow, NewSilence, Severity, Silence } from '../../../contract/alerts';
import type { ConfigObject, ConfigVersion, ObjectData, RecordVersion } from '../../../contract/config';
import { get, post, put, del } from './http';

interface Versions<T> { total: number; items: T[] }
const ROUTE = '/api/alerts/config/route/root';

/** GET /api/alerts/alerts filters: several states or severities comma-separated; from/to ISO. */
export interface AlertQuery {
  state?: AlertState | string;
  severity?: Severity | string;
  team?: string;
  module?: string;
  target?: string;
  rule?: string;
  acked?: boolean | string;
  /** Text in the rule, summary, target, module or fingerprint. */
  q?: string;
  /** state (default) | severity | startsAt | rule; - for descending. */
  sort?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

/** The answers are contract/alerts.ts's; a GET gives null when the endpoint is not there (404/501). */
export const alerts = {
  list: (params: AlertQuery = {}): Promise<Page<Alert> | null> => get('/api/alerts/alerts', { limit: 50, ...params }),
  ack: (id: number, comment = ''): Promise<Alert> => post(`/api/alerts/alerts/${id}/ack`, { comment }),
  silences: (params: { state?: string; team?: string; q?: string; sort?: string; limit?: number; offset?: number } = {}): Promise<Page<Silence> | null> => get('/api/alerts/silences', params),
  createSilence: (body: NewSilence): Promise<Silence> => post('/api/alerts/silences', body),
  expireSilence: (id: string): Promise<Silence> => del(`/api/alerts/silences/${encodeURIComponent(id)}`),
  maintenance: (): Promise<Page<MaintenanceWindow> | null> => get('/api/alerts/maintenance'),
  createMaintenance: (body: NewMaintenanceWindow): Promise<MaintenanceWindow> => post('/api/alerts/maintenance', body),
  expireMaintenance: (id: number): Promise<MaintenanceWindow> => del(`/api/alerts/maintenance/${id}`),
  /** An edit (the create's body, with an optional reason for the history); every change is a version. */
  updateSilence: (id: string, body: NewSilence & { reason?: string }): Promise<Silence> => put(`/api/alerts/silences/${encodeURIComponent(id)}`, body),
  silenceHistory: (id: string): Promise<Versions<RecordVersion> | null> => get(`/api/alerts/silences/${encodeURIComponent(id)}/history`),
  rollbackSilence: (id: string, version: number): Promise<{ item: Silence; version: RecordVersion | null }> => post(`/api/alerts/silences/${encodeURIComponent(id)}/rollback`, { version }),
  updateMaintenance: (id: number, body: NewMaintenanceWindow & { reason?: string }): Promise<MaintenanceWindow> => put(`/api/alerts/maintenance/${id}`, body),
  maintenanceHistory: (id: number): Promise<Versions<RecordVersion> | null> => get(`/api/alerts/maintenance/${id}/history`),
  rollbackMaintenance: (id: number, version: number): Promise<{ item: MaintenanceWindow; version: RecordVersion | null }> => post(`/api/alerts/maintenance/${id}/rollback`, { version }),
  /** The routing tree, a configuration object of its own (null: none stored and none in the file). */
  // Read through the kind's list (always 200; no tree is an empty list, not a failed request): the file's when it has one.
  route: async (): Promise<ConfigObject | null> =>
    ((await get<{ items: ConfigObject[] }>('/api/alerts/config/route'))?.items ?? []).find((o) => !o.shadowed) ?? null,
  /** Sets the tree (created on its first write); refused with ApiError.problems (field, Chinese message). */
  putRoute: (data: ObjectData, reason?: string): Promise<{ object: ConfigObject; version: ConfigVersion | null }> => put(ROUTE, { data, ...(reason ? { reason } : {}) }),
  routeHistory: (): Promise<Versions<ConfigVersion> | null> => get(`${ROUTE}/history`),
  rollbackRoute: (version: number): Promise<{ object: ConfigObject; version: ConfigVersion | null }> => post(`${ROUTE}/rollback`, { version }),
  deliveries: (params: { receiver?: string; status?: string; from?: string; to?: string; limit?: number } = {}): Promise<Page<Delivery> | null> =>
    get('/api/alerts/deliveries', { limit: 100, ...params }),
};
