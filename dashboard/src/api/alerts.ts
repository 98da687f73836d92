import type { Page } from '../../../contract/common';
import type { Alert, AlertState, Delivery, MaintenanceWindow, NewMaintenanceWindow, NewSilence, Severity, Silence } from '../../../contract/alerts';
import { get, post, del } from './http';

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
  deliveries: (params: { receiver?: string; status?: string; from?: string; to?: string; limit?: number } = {}): Promise<Page<Delivery> | null> =>
    get('/api/alerts/deliveries', { limit: 100, ...params }),
};
