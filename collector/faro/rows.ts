import { maskIdNumbers } from '../../core/mask';
import { errorFingerprint } from './fingerprint';
import type { FaroBody } from './schema';

/** Columns of each Faro table, in the order the row arrays below use. */
export const TABLES = {
  faro_exceptions: ['ts', 'received_at', 'app', 'app_release', 'environment', 'session_id', 'user_id', 'page_url', 'browser', 'browser_version', 'os', 'type', 'message', 'fingerprint', 'frames', 'context', 'trace_id'],
  faro_measurements: ['ts', 'app', 'session_id', 'page_url', 'browser', 'type', 'name', 'value', 'rating', 'context'],
  faro_logs: ['ts', 'app', 'session_id', 'page_url', 'browser', 'level', 'message', 'context', 'trace_id'],
  faro_events: ['ts', 'app', 'session_id', 'page_url', 'browser', 'name', 'domain', 'attributes', 'trace_id'],
  faro_spans: ['ts', 'app', 'session_id', 'page_url', 'browser', 'trace_id', 'span_id', 'name', 'duration_ms', 'attributes'],
} as const;
export type FaroTable = keyof typeof TABLES;
export type RowsByTable = Record<FaroTable, unknown[][]>;

export function emptyRows(): RowsByTable {
  return { faro_exceptions: [], faro_measurements: [], faro_logs: [], faro_events: [], faro_spans: [] };
}

export function rowCount(r: RowsByTable): number {
  let n = 0;
  for (const k in r) n += r[k as FaroTable].length;
  return n;
}

/** The page without query string and fragment: they carry tokens and personal data, and split the grouping. */
export function pageKey(url: string | undefined): string | null {
  if (!url) return null;
  return url.replace(/[?#].*$/, '').slice(0, 2048);
}

const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * PostgreSQL text and jsonb refuse NUL characters and lone UTF-16 surrogates, which JSON.parse happily produces.
 * One such string would fail a whole batch, so every string is made storable before it gets near the database.
 */
const SUSPECT = /[\u0000\ud800-\udfff]/;

export function storable(s: string): string {
  if (!SUSPECT.test(s)) return s; // the common case: nothing to clean, no copy
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replace(/\u0000/g, '');
}
function deepStorable(v: unknown): unknown {
  if (typeof v === 'string') return storable(v);
  if (Array.isArray(v)) return v.map(deepStorable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), deepStorable(x)]));
  return v;
}

/**
 * Turns one validated body into rows. Timestamps come from the browser; one far in the future (a wrong clock)
 * is replaced by the receive time, so a bad clock cannot plant rows the dashboards would show tomorrow.
 */
export function toRows(app: string, raw: FaroBody, now: number): RowsByTable {
  const body = deepStorable(raw) as FaroBody;
  const out = emptyRows();
  const m = body.meta;
  const session = m.session?.id ?? null;
  const page = pageKey(m.page?.url);
  const browser = m.browser?.name ?? null;
  const ts = (s: string) => {
    const t = Date.parse(s);
    return new Date(t > now + FUTURE_SLACK_MS ? now : t);
  };
  const received = new Date(now);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

  for (const e of body.exceptions ?? []) {
    const frames = e.stacktrace?.frames ?? [];
    const message = maskIdNumbers(e.value);
    out.faro_exceptions.push([
      ts(e.timestamp), received, app, m.app?.release ?? m.app?.version ?? null, m.app?.environment ?? null, session,
      m.user?.id ?? null, page, browser, m.browser?.version ?? null, m.browser?.os ?? null, e.type, message,
      errorFingerprint(e.type, e.value, frames), json(frames.slice(0, 50)), json(e.context), e.trace?.trace_id ?? null,
    ]);
  }
  for (const me of body.measurements ?? []) {
    const rating = typeof me.context?.rating === 'string' ? me.context.rating : null;
    for (const [name, value] of Object.entries(me.values)) {
      out.faro_measurements.push([ts(me.timestamp), app, session, page, browser, me.type, name, value, rating, json(me.context)]);
    }
  }
  for (const l of body.logs ?? []) {
    out.faro_logs.push([ts(l.timestamp), app, session, page, browser, l.level, maskIdNumbers(l.message), json(l.context), l.trace?.trace_id ?? null]);
  }
  for (const ev of body.events ?? []) {
    out.faro_events.push([ts(ev.timestamp), app, session, page, browser, ev.name, ev.domain ?? null, json(ev.attributes), ev.trace?.trace_id ?? null]);
  }
  for (const rs of body.traces?.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans) {
      for (const sp of ss.spans) {
        const start = Number(BigInt(sp.startTimeUnixNano) / 1_000_000n);
        const end = sp.endTimeUnixNano !== undefined ? Number(BigInt(sp.endTimeUnixNano) / 1_000_000n) : undefined;
        const startTs = start > 0 && start < now + FUTURE_SLACK_MS ? start : now;
        out.faro_spans.push([new Date(startTs), app, session, page, browser, sp.traceId, sp.spanId, sp.name, end !== undefined ? Math.max(0, end - start) : null, json(sp.attributes)]);
      }
    }
  }
  return out;
}
