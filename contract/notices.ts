/**
 * The answers of /api/alerts/notices/* (alerts/api/notices.ts builds them, dashboard/src/api/notices.ts reads them):
 * 通报, the notices security staff send to a department and the department answers. Instants are ISO strings.
 */
import type { Instant, Page } from './common';

/** 特别重大 critical, 重大 high, 较大 medium, 一般 low (the levels of GB/Z 20986 network security incidents). */
export type NoticeLevel = 'critical' | 'high' | 'medium' | 'low';
/** Where the warning came from: one of our alerts, or entered by hand from 网信办 (cac), 公安 (police), CNCERT, a vendor. */
export type NoticeSource = 'alert' | 'cac' | 'police' | 'cncert' | 'vendor' | 'other';
/**
 * issued (已下发) → acknowledged (已签收) → submitted (已反馈, awaiting review) → closed (已办结), or from submitted back to
 * returned (已退回), from which the department submits again.
 */
export type NoticeStatus = 'issued' | 'acknowledged' | 'submitted' | 'returned' | 'closed';
export type NoticeAction = 'issued' | 'acknowledged' | 'feedback' | 'returned' | 'closed';

export const NOTICE_LEVEL_ZH: Record<NoticeLevel, string> = { critical: '特别重大', high: '重大', medium: '较大', low: '一般' };
export const NOTICE_SOURCE_ZH: Record<NoticeSource, string> = { alert: '本系统告警', cac: '网信办', police: '公安', cncert: 'CNCERT', vendor: '厂商', other: '其他' };
export const NOTICE_STATUS_ZH: Record<NoticeStatus, string> = { issued: '已下发', acknowledged: '已签收', submitted: '已反馈待审核', returned: '已退回', closed: '已办结' };

export interface Notice {
  id: number;
  /** e.g. 〔2026〕12号 (alerts.notices.numberPattern). */
  number: string;
  title: string;
  level: NoticeLevel;
  source: NoticeSource;
  /** The source's own reference (an external notice's number), or ''. */
  sourceRef: string;
  alertId: number | null;
  moduleId: string | null;
  department: string;
  affectedSystems: string[];
  description: string;
  /** 整改要求: what the department must do. */
  requirement: string;
  status: NoticeStatus;
  deadline: Instant;
  /** Past its deadline and not closed (at the time of the answer). */
  overdue: boolean;
  issuedBy: string;
  issuedAt: Instant;
  acknowledgedBy: string | null;
  acknowledgedAt: Instant | null;
  submittedAt: Instant | null;
  closedBy: string | null;
  closedAt: Instant | null;
}

export interface NoticeAttachment {
  id: number;
  eventId: number;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface NoticeEvent {
  id: number;
  at: Instant;
  actor: string;
  role: string | null;
  action: NoticeAction;
  comment: string;
  attachments: NoticeAttachment[];
}

/** GET /notices/:id */
export interface NoticeDetail extends Notice {
  events: NoticeEvent[];
}

export type NoticeList = Page<Notice>;

/** GET /notices/stats?month=yyyy-MM: per department, the notices issued in the month (UTC+8). */
export interface NoticeDepartmentStats {
  department: string;
  issued: number;
  closed: number;
  /** Closed, with the accepted feedback submitted by the deadline. */
  closedOnTime: number;
  /** Not closed yet. */
  open: number;
  /** Not closed and past the deadline. */
  overdue: number;
  /** closedOnTime / due, where due = notices closed or past their deadline; null when none is due yet. */
  onTimeRate: number | null;
}

export interface NoticeStats {
  month: string;
  departments: NoticeDepartmentStats[];
  total: Omit<NoticeDepartmentStats, 'department'>;
}
