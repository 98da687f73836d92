import type { Notice, NoticeDetail, NoticeLevel, NoticeList, NoticeSource, NoticeStats } from '../../../contract/notices';
import { get, post } from './http';

/** GET /api/alerts/notices filters (a department user is always limited to its own department by the server). */
export interface NoticeQuery {
  status?: string;
  level?: string;
  department?: string;
  q?: string;
  overdue?: boolean;
  limit?: number;
  offset?: number;
}

export interface NewNoticeBody {
  alertId?: number;
  source?: NoticeSource;
  sourceRef?: string;
  title?: string;
  level: NoticeLevel;
  department?: string;
  moduleId?: string;
  affectedSystems?: string[];
  description?: string;
  requirement?: string;
}

export interface AttachmentBody {
  filename: string;
  contentType: string;
  /** base64 */
  data: string;
}

const base = '/api/alerts/notices';
/** 通报: the answers are contract/notices.ts's. */
export const notices = {
  list: (q: NoticeQuery = {}): Promise<NoticeList | null> => get(base, { limit: 50, ...q }),
  get: (id: number): Promise<NoticeDetail | null> => get(`${base}/${id}`),
  stats: (month: string): Promise<NoticeStats | null> => get(`${base}/stats`, { month }),
  issue: (body: NewNoticeBody): Promise<Notice> => post(base, body),
  acknowledge: (id: number, comment = ''): Promise<Notice> => post(`${base}/${id}/acknowledge`, { comment }),
  feedback: (id: number, comment: string, attachments: AttachmentBody[]): Promise<Notice> => post(`${base}/${id}/feedback`, { comment, attachments }),
  sendBack: (id: number, comment: string): Promise<Notice> => post(`${base}/${id}/return`, { comment }),
  close: (id: number, comment = ''): Promise<Notice> => post(`${base}/${id}/close`, { comment }),
  printUrl: (id: number) => `${base}/${id}/print`,
  attachmentUrl: (id: number, attachmentId: number) => `${base}/${id}/attachments/${attachmentId}`,
  exportUrl: (month: string) => `${base}/export?month=${encodeURIComponent(month)}`,
};
