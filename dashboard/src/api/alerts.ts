import { get, post, del, type Json } from './http';

export const alerts = {
  list: (params: Record<string, any> = {}) => get('/api/alerts/alerts', { limit: 200, ...params }),
  ack: (id: string | number, comment = '') => post(`/api/alerts/alerts/${id}/ack`, { comment }),
  silences: () => get('/api/alerts/silences'),
  createSilence: (body: Json) => post('/api/alerts/silences', body),
  expireSilence: (id: string) => del(`/api/alerts/silences/${encodeURIComponent(id)}`),
  maintenance: () => get('/api/alerts/maintenance'),
  createMaintenance: (body: Json) => post('/api/alerts/maintenance', body),
  expireMaintenance: (id: string) => del(`/api/alerts/maintenance/${encodeURIComponent(id)}`),
  deliveries: (params: Record<string, any> = {}) => get('/api/alerts/deliveries', { limit: 100, ...params }),
  };
