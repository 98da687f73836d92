import type { Queryable } from '../../core/db';
import type { Logger } from '../../core/log';
import type { Clock } from '../../core/time';
import { CHINA_BUCKET_ORIGIN, addDays, chinaDate, chinaDayStart } from '../../core/china-time';
import type { StatusPageConfig } from '../config';

export type PublicState = 'up' | 'degraded' | 'down' | 'maintenance' | 'unknown';

/**
 * What the public status page shows, and nothing else: public names, states, daily availability, when an incident or a
 * maintenance began and ends. No ids, URLs, error texts, internal names or people: the page is built from this only.
 */
export interface StatusSnapshot {
  /** When it was read from the database (ms). */
  at: number;
  modules: {
    name: string;
    description?: string;
    state: PublicState;
    /** 90 UTC+8 days, oldest first: availability 0..1, or null where nothing was measured. */
    days: { day: string; ratio: number | null }[];
    /** Over the 90 days (measured hours only), 0..1 or null. */
    uptime: number | null;
  }[];
  /** Open incidents, one per module: since when. */
  incidents: { name: string; since: number }[];
  /** Maintenance ongoing or starting within `MAINTENANCE_AHEAD_DAYS`. */
  maintenance: { names: string[]; startsAt: number; endsAt: number; note: string; ongoing: boolean }[];
}

export const STATUS_DAYS = 90;
const FIRST_READ_WAIT_MS = 15_000;
export const MAINTENANCE_AHEAD_DAYS = 14;

/** Reads a snapshot for the configured public modules. Every query filters by their ids; unknown ids show 暂无数据. */
export async function readSnapshot(db: Queryable, cfg: StatusPageConfig, now: number): Promise<StatusSnapshot> {
  const ids = cfg.modules.map((m) => m.module);
  const today = chinaDate(now);
  const firstDay = addDays(today, -(STATUS_DAYS - 1));
  const [states, daily, incidents, windows] = await Promise.all([
    db.query<{ module_id: string; state: string; n: number }>(
      `SELECT t.module_id, coalesce(s.state, 'unknown') AS state, count(*)::int AS n
         FROM targets t LEFT JOIN target_state s ON s.target_id = t.id
        WHERE t.active AND t.module_id = ANY($1::text[]) GROUP BY 1, 2`,
      [ids],
    ),
    // The 1-hour rollup summed per UTC+8 day: 90 days × 24 rows per target at most, never the raw results.
    db.query<{ module_id: string; day: unknown; ok: unknown; n: unknown }>(
      `SELECT module_id, time_bucket(INTERVAL '1 day', bucket, ${CHINA_BUCKET_ORIGIN}) AS day, sum(ok) AS ok, sum(n) AS n
         FROM probe_results_1h WHERE module_id = ANY($1::text[]) AND bucket >= $2 AND bucket < $3 GROUP BY 1, 2`,
      [ids, new Date(chinaDayStart(firstDay)), new Date(now)],
    ),
    db.query<{ module_id: string; since: unknown }>(
      `SELECT module_id, min(started_at) AS since FROM incidents WHERE ended_at IS NULL AND module_id = ANY($1::text[]) GROUP BY 1`,
      [ids],
    ),
    // Module-wide windows only (a window on one target is an internal matter), not ended by hand, not over.
    db.query<{ id: unknown; module_id: string; starts_at: unknown; ends_at: unknown; public_note: string }>(
      `SELECT id, module_id, starts_at, ends_at, public_note FROM maintenance_windows
        WHERE expired_at IS NULL AND module_id = ANY($1::text[]) AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at, id`,
      [ids, new Date(now), new Date(now + MAINTENANCE_AHEAD_DAYS * 86_400_000)],
    ),
  ]);
  const ms = (v: unknown) => new Date(v as string).getTime();
  const nameOf = new Map(cfg.modules.map((m) => [m.module, m.name]));
  const inMaintenance = new Set(windows.rows.filter((w) => ms(w.starts_at) <= now).map((w) => w.module_id));
  const counts = new Map<string, Record<string, number>>();
  for (const r of states.rows) {
    const c = counts.get(r.module_id) ?? {};
    c[r.state] = (c[r.state] ?? 0) + Number(r.n);
    counts.set(r.module_id, c);
  }
  const perDay = new Map<string, Map<string, { ok: number; n: number }>>();
  for (const r of daily.rows) {
    const m = perDay.get(r.module_id) ?? new Map();
    m.set(chinaDate(ms(r.day)), { ok: Number(r.ok ?? 0), n: Number(r.n ?? 0) });
    perDay.set(r.module_id, m);
  }
  const dayList = Array.from({ length: STATUS_DAYS }, (_, i) => addDays(firstDay, i));
  const modules = cfg.modules.map((m) => {
    const c = counts.get(m.module) ?? {};
    // As the overview rolls a module up (collector/routes/health.ts rollUp): maintenance, any down, any degraded, up.
    const state: PublicState = inMaintenance.has(m.module) ? 'maintenance' : c.down ? 'down' : c.degraded ? 'degraded' : c.up ? 'up' : 'unknown';
    const d = perDay.get(m.module);
    let ok = 0;
    let n = 0;
    const days = dayList.map((day) => {
      const v = d?.get(day);
      if (!v || v.n === 0) return { day, ratio: null };
      ok += v.ok;
      n += v.n;
      return { day, ratio: v.ok / v.n };
    });
    return { name: m.name, description: m.description, state, days, uptime: n ? ok / n : null };
  });
  const order = new Map(ids.map((id, i) => [id, i]));
  const byConfig = <T extends { module_id: string }>(rows: T[]) => rows.filter((r) => nameOf.has(r.module_id)).sort((a, b) => order.get(a.module_id)! - order.get(b.module_id)!);
  // Windows that share their times (one maintenance of several modules) are one entry.
  const maintenance: StatusSnapshot['maintenance'] = [];
  for (const w of windows.rows) {
    const startsAt = ms(w.starts_at);
    const endsAt = ms(w.ends_at);
    const note = w.public_note.trim();
    const same = maintenance.find((x) => x.startsAt === startsAt && x.endsAt === endsAt && x.note === note);
    const name = nameOf.get(w.module_id)!;
    if (same) {
      if (!same.names.includes(name)) same.names.push(name);
    } else maintenance.push({ names: [name], startsAt, endsAt, note, ongoing: startsAt <= now });
  }
  return {
    at: now,
    modules,
    incidents: byConfig(incidents.rows).map((r) => ({ name: nameOf.get(r.module_id)!, since: ms(r.since) })),
    maintenance,
  };
}

/**
 * The last good snapshot, re-read at most every `refreshSeconds` (one read at a time). A request waits for a new
 * read at most `queryTimeoutMs` (the very first read up to 15 s, as there is nothing to show instead); a database that is slower or away leaves the last snapshot in place (`stale`),
 * so the page keeps answering. Only a process that never read one has nothing to show.
 */
export class StatusSnapshots {
  private last?: StatusSnapshot;
  private reading?: Promise<StatusSnapshot | undefined>;
  private failing = false;

  constructor(
    private db: Queryable,
    private getConfig: () => StatusPageConfig,
    private clock: Clock,
    private log: Logger,
  ) {}

  /** Starts a read unless one runs; resolves with the new snapshot, or undefined when it failed. */
  refresh(): Promise<StatusSnapshot | undefined> {
    this.reading ??= readSnapshot(this.db, this.getConfig(), this.clock())
      .then(
        (s) => {
          if (this.failing) this.log.info('status page: database readable again; snapshot renewed');
          this.failing = false;
          this.last = s;
          return s;
        },
        (err) => {
          if (!this.failing) this.log.warn({ err: (err as Error).message }, 'status page: snapshot not renewed; serving the last one');
          this.failing = true;
          return undefined;
        },
      )
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Forget the snapshot (the configuration changed: other modules, other names). */
  reset() {
    this.last = undefined;
  }

  async current(): Promise<{ snapshot?: StatusSnapshot; stale: boolean }> {
    const cfg = this.getConfig();
    const last = this.last;
    if (last && this.clock() - last.at < cfg.refreshSeconds * 1000) return { snapshot: last, stale: false };
    let timer: NodeJS.Timeout | undefined;
    // With nothing to fall back on, a slow first read is worth waiting for (up to 15 s) rather than answering 503.
    const waitMs = last ? cfg.queryTimeoutMs : Math.max(cfg.queryTimeoutMs, FIRST_READ_WAIT_MS);
    const fresh = await Promise.race([
      this.refresh(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (fresh) return { snapshot: fresh, stale: false };
    return { snapshot: this.last, stale: true };
  }
}
