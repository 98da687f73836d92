import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { allows, isFullAdmin } from '../../core/auth/roles';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import { paramInput, parseInstant } from '../../core/input';
import type { Queryable } from '../../core/db';
import type { Actor } from '../../core/config/store';
import { recordVersion, versionAt, versionHistory, type RecordVersion } from '../../core/versions';
import type { ObjectData } from '../../contract/config';
import type { Page } from '../../contract/common';
import type { AlertsContext } from '../config';

/** Security staff manage security-team alerts and silences, ops staff ops ones, the regulatory office the reporting ones; admin all. */
export function canWriteTeam(c: Context<AppEnv>, team: string): boolean {
  const p = c.get('principal');
  if (!p) return false;
  if (team === 'security') return allows(p, 'alerts:security:write');
  if (team === 'ops') return allows(p, 'alerts:ops:write');
  if (team === 'regulator') return allows(p, 'alerts:regulator:write');
  return isFullAdmin(p);
}

/** Either permission lets the request in; the team check happens on the object. */
export function canWriteAny(c: Context<AppEnv>): boolean {
  return canWriteTeam(c, 'ops') || canWriteTeam(c, 'security') || canWriteTeam(c, 'regulator');
}

export const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/**
 * ?from= / ?to= as ISO times or epoch ms (core/input.ts `instant`: a real date, 1970–2199); undefined when absent,
 * NaN when invalid.
 */
export function timeParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  return parseInstant(v);
}

/**
 * The history and rollback of a record that is versioned in record_versions (core/versions.ts) — silences and
 * maintenance windows share this, each saying how to read, show, check and restore its own records:
 *   GET  <path>/:id/history    every version, newest first, with the field diff
 *   POST <path>/:id/rollback   { version, reason? }: that version's content restored, as a new version (audited)
 */
export function versionRoutes<Id extends string | number, R>(
  ctx: AlertsContext,
  v: {
    kind: string;
    path: string;
    label: string;
    id: z.ZodType<Id>;
    get: (id: Id) => Promise<R | null>;
    snapshot: (r: R) => ObjectData;
    /** Why this principal may not write a record with this content (current or restored), or null when it may. */
    refuse: (c: Context<AppEnv>, content: ObjectData) => string | null;
    restore: (q: Queryable, id: Id, content: ObjectData) => Promise<void>;
    json: (r: R, now: number) => unknown;
  },
) {
  const r = new Hono<AppEnv>();
  const rollbackBody = z.object({ version: z.number().int().min(1), reason: z.string().max(500).optional() }).strict();
  r.get(`${v.path}/:id/history`, requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', v.id);
    if (!p.ok) return p.response;
    if (!(await v.get(p.value))) return httpError(c, 404, 'not_found', `没有这个${v.label}`);
    const items = await versionHistory(ctx.db, v.kind, p.value);
    return c.json({ total: items.length, limit: items.length, offset: 0, items } satisfies Page<RecordVersion>);
  });
  r.post(`${v.path}/:id/rollback`, requirePermission('read'), async (c) => {
    const p = paramInput(c, 'id', v.id);
    if (!p.ok) return p.response;
    const j = await readJson(c);
    if (!j.ok) return j.response;
    const b = rollbackBody.safeParse(j.value ?? {});
    if (!b.success) return httpError(c, 400, 'bad_request', `请求体不对：${b.error.issues[0].path.join('.') || '（整体）'}：${b.error.issues[0].message}`, { field: b.error.issues[0].path.join('.') });
    const cur = await v.get(p.value);
    if (!cur) return httpError(c, 404, 'not_found', `没有这个${v.label}`);
    const to = await versionAt(ctx.db, v.kind, p.value, b.data.version);
    if (!to?.after) return httpError(c, 404, 'no_version', `${v.label}没有版本 ${b.data.version}；可用的版本见其历史`);
    const before = v.snapshot(cur);
    const why = v.refuse(c, before) ?? v.refuse(c, to.after);
    if (why) return httpError(c, 403, 'forbidden', why);
    const after = to.after;
    const version = await writeVersion(c, ctx, {
      kind: v.kind, id: p.value, action: 'rollback', before, actor: actorOf(c, { reason: b.data.reason || `回滚到版本 ${b.data.version}` }), ts: ctx.clock(),
      write: async (q) => {
        await v.restore(q, p.value, after);
        return after;
      },
      details: { toVersion: b.data.version },
    });
    return c.json({ item: v.json((await v.get(p.value))!, ctx.clock()), version });
  });
  return r;
}

/** Reads the optional `reason` (why the change, for the history) of a write body. */
export function reasonOf(body: unknown): string {
  const r = (body as Record<string, unknown> | null)?.reason;
  return typeof r === 'string' ? r.slice(0, 500) : '';
}

/** Who makes a change and why (the body's `reason`), for its version. */
export function actorOf(c: Context<AppEnv>, body: unknown): Actor {
  const p = c.get('principal')!;
  return { name: p.name, role: p.role, reason: reasonOf(body) };
}

/**
 * A change to a versioned record other than its creation or expiry: `write` changes the row and returns its content
 * after, and the version (before, after, who, why) is recorded in the same transaction; then the change is audited as
 * `alerts.<kind>.<action>` with the version, `details`, the reason, before, after and the field diff. An update that
 * changes nothing records no version and no audit entry (null).
 */
export async function writeVersion(
  c: Context<AppEnv>,
  ctx: AlertsContext,
  e: { kind: string; id: string | number; action: 'update' | 'rollback'; before: ObjectData; actor: Actor; ts: number; write: (q: Queryable) => Promise<ObjectData>; details?: Record<string, unknown> },
): Promise<RecordVersion | null> {
  const version = await ctx.db.tx(async (q) => recordVersion(q, { kind: e.kind, id: e.id, action: e.action, before: e.before, after: await e.write(q), actor: e.actor, ts: e.ts }));
  if (version) {
    await auditFrom(c, ctx.auth, { action: `alerts.${e.kind}.${e.action}`, target: `${e.kind}:${e.id}`, details: { version: version.version, ...e.details, reason: version.reason, before: e.before, after: version.after, diff: version.diff } });
  }
  return version;
}
