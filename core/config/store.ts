import type { z } from 'zod';
import type { Db, Queryable } from '../db';
import type { Principal } from '../auth/service';
import { maskedSecretProblems } from './redact';

/**
 * The configuration store: objects (modules, targets, alert rules, receivers …) created through the API, the dashboard
 * or `config import`, each change a new version (who, when, why, before and after), one-step rollback to any version.
 *
 * The running configuration is the YAML file with the store's objects appended to their lists (collector.targets,
 * alerts.rules …), validated as one document by the file's own schema: the same zod schemas, the same cross-checks
 * (a target's module exists, tokens are unique), applied through the same path as a file reload. Objects in the file
 * are "managed by the file" and read-only here (409); the store's are "managed by ui" and survive file reloads. An id
 * in both: the file wins (the stored one is shadowed until the file drops it).
 *
 * The core knows no kind: each area declares its own (collector/objects.ts, alerts/objects.ts) with where they live in
 * the file and who may write them.
 */

/** One kind of object, declared by the area that owns it. */
export interface ConfigKind {
  /** e.g. "target"; unique over all areas; the API path segment (/api/collector/config/targets). */
  kind: string;
  /** Where the objects live in the file: section and list key, e.g. collector / targets. */
  section: string;
  key: string;
  /** The key that names an object: "id" or "name". */
  idKey: string;
  /** Chinese name for messages: 监测对象, 告警规则 … */
  label: string;
  /** The boolean key that switches an object on and off, if the kind has one. */
  enabledKey?: string;
  /**
   * A kind of which there is one object, not a list: the file holds it at section.key itself (e.g. alerts.route, the
   * routing tree) and this is its one id (e.g. "root"). Its data carries no id key; the file's, when present, wins.
   */
  singleton?: string;
  /** May this principal write this object (its data as it is or is to be)? */
  canWrite(p: Principal, data: Record<string, unknown>): boolean;
  /** What the principal needs, for the 403 message. */
  needs: string;
}

import type { ConfigObject, ConfigVersion, FieldChange, ObjectData, ObjectProblem, VersionAction } from '../../contract/config';
export type { ConfigObject, ConfigVersion, FieldChange, Managed, ObjectData, ObjectProblem, VersionAction } from '../../contract/config';

export type WriteResult =
  | { ok: true; object: ConfigObject; before: ObjectData | null; /** null: nothing changed, no version written. */ version: ConfigVersion | null }
  | { ok: false; status: 400 | 403 | 404 | 409 | 422; code: string; message: string; problems?: ObjectProblem[] };

export interface Actor {
  name: string;
  role?: string;
  reason?: string;
}

/** Canonical JSON (sorted keys), for comparing objects. */
export function canon(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/** The fields that differ between two objects, deepest first-level path that differs (arrays compared whole). */
export function diffObjects(before: unknown, after: unknown, path = ''): FieldChange[] {
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffObjects(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (canon(before) === canon(after)) return [];
  const c: FieldChange = { path };
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return [c];
}

/** A zod issue as a Chinese message: what is wrong and how to fix it (the schema's own English text kept for detail). */
export function zhIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const i = issue as z.core.$ZodIssue & Record<string, unknown>;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `必填项缺失：请填写此字段（应为 ${zhType(String(i.expected))}）`;
      return `类型不对：应为 ${zhType(String(i.expected))}，实际是 ${JSON.stringify(value)?.slice(0, 60)}`;
    case 'too_small':
      return i.origin === 'string' ? `太短：至少 ${i.minimum} 个字符` : i.origin === 'array' ? `至少需要 ${i.minimum} 项` : `太小：不能小于 ${i.minimum}（${issue.message}）`;
    case 'too_big':
      return i.origin === 'string' ? `太长：至多 ${i.maximum} 个字符` : i.origin === 'array' ? `至多 ${i.maximum} 项` : `太大：不能大于 ${i.maximum}（${issue.message}）`;
    case 'invalid_value':
      return `取值无效：应为 ${(i.values as unknown[]).map((v) => JSON.stringify(v)).join('、')} 之一`;
    case 'unrecognized_keys':
      return `未知字段 ${(i.keys as string[]).join('、')}：请检查拼写，或删去（字段说明见 ops/config.example.yaml）`;
    case 'invalid_format':
      return `格式不对（${issue.message}）`;
    case 'invalid_union':
      return `不是可接受的取值（${issue.message}）`;
    default:
      return `取值无效：${issue.message}`;
  }
}
function zhType(t: string): string {
  return ({ string: '文字', number: '数字', boolean: '是/否（true/false）', object: '对象', array: '列表' } as Record<string, string>)[t] ?? t;
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let cur = obj as Record<PropertyKey, unknown> | undefined;
  for (const k of path) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = cur[k] as Record<PropertyKey, unknown> | undefined;
  }
  return cur;
}

function fieldPath(path: PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

interface Row {
  kind: string;
  id: string;
  version: number;
  data: ObjectData;
  deleted: boolean;
  updated_at: Date | string;
  updated_by: string;
}

/** What the store needs from the composition root: the file's raw document, the whole schema, and how to apply. */
export interface ConfigObjectsOptions {
  db: Db;
  kinds: ConfigKind[];
  clock: () => number;
  /** The YAML file's document as read (input form), before the store's objects are added. */
  fileRaw: () => unknown;
  /** The schema of the whole file. */
  schema: z.ZodType;
  /** Apply a new running configuration (the file reload path); called after every committed change, with the validated whole configuration when the writer has it. */
  onChange?: (validated?: unknown) => Promise<void>;
}

/** A candidate set of stored objects: kind → id → data. */
type ObjectSet = Map<string, Map<string, ObjectData>>;

export class ConfigObjects {
  readonly kinds: Map<string, ConfigKind>;
  constructor(private readonly o: ConfigObjectsOptions) {
    this.kinds = new Map(o.kinds.map((k) => [k.kind, k]));
  }

  kind(name: string): ConfigKind | undefined {
    return this.kinds.get(name);
  }

  /** The objects of the file, per kind, in input form. */
  fileObjects(kind: ConfigKind): ObjectData[] {
    const list = valueAt(this.o.fileRaw(), [kind.section, kind.key]);
    if (kind.singleton) return list && typeof list === 'object' && !Array.isArray(list) ? [list as ObjectData] : [];
    return Array.isArray(list) ? (list.filter((x) => x && typeof x === 'object') as ObjectData[]) : [];
  }

  /** The id of an object of a kind: its id key's value, or a singleton's one id. */
  idOf(kind: ConfigKind, data: ObjectData): string {
    return kind.singleton ?? String(data[kind.idKey]);
  }

  private fileIds(kind: ConfigKind): Set<string> {
    return new Set(this.fileObjects(kind).map((d) => this.idOf(kind, d)));
  }

  /** The live stored objects as of a version sequence: every change writes a version, so the sequence names the set. */
  private cache?: { seq: number; set: ObjectSet };

  /** The live (not deleted) stored objects (a copy the caller may change). */
  async stored(q: Queryable = this.o.db): Promise<ObjectSet> {
    const seq = Number((await q.query<{ n: string | null }>(`SELECT max(seq)::text AS n FROM config_versions`)).rows[0]?.n ?? 0);
    if (this.cache?.seq !== seq) this.cache = { seq, set: await this.read(q) };
    return new Map([...this.cache.set].map(([k, m]) => [k, new Map(m)]));
  }

  private async read(q: Queryable): Promise<ObjectSet> {
    const rows = (await q.query<Row>(`SELECT kind, id, version, data, deleted, updated_at, updated_by FROM config_objects WHERE NOT deleted ORDER BY kind, id`)).rows;
    const set: ObjectSet = new Map([...this.kinds.keys()].map((k) => [k, new Map()]));
    for (const r of rows) set.get(r.kind)?.set(r.id, r.data);
    return set;
  }

  /** The file's document with the stored objects appended to their lists; which index of which list is which object. */
  merged(set: ObjectSet): { raw: Record<string, unknown>; at: Map<string, { kind: string; id: string }> } {
    const raw = structuredClone((this.o.fileRaw() ?? {}) as Record<string, unknown>);
    const at = new Map<string, { kind: string; id: string }>();
    for (const k of this.kinds.values()) {
      const section = ((raw[k.section] ??= {}) as Record<string, unknown>);
      if (k.singleton) {
        const data = set.get(k.kind)?.get(k.singleton);
        if (data && !this.fileIds(k).has(k.singleton)) {
          at.set(`${k.section}.${k.key}`, { kind: k.kind, id: k.singleton });
          section[k.key] = structuredClone(data);
        }
        continue;
      }
      const list = (Array.isArray(section[k.key]) ? section[k.key] : (section[k.key] = [])) as unknown[];
      const fileIds = this.fileIds(k);
      for (const [id, data] of set.get(k.kind) ?? []) {
        if (fileIds.has(id)) continue; // shadowed by the file
        at.set(`${k.section}.${k.key}.${list.length}`, { kind: k.kind, id });
        list.push(structuredClone(data));
      }
    }
    return { raw, at };
  }

  /** Validates a candidate set as the whole configuration; the problems, each attributed to its object and field. */
  validate(set: ObjectSet): { ok: true; config: unknown } | { ok: false; problems: (ObjectProblem & { object?: { kind: string; id: string } })[] } {
    const { raw, at } = this.merged(set);
    const r = this.o.schema.safeParse(raw);
    if (r.success) return { ok: true, config: r.data };
    return {
      ok: false,
      problems: r.error.issues.map((issue) => {
        const [s, key, idx, ...rest] = issue.path;
        const obj = at.get(`${String(s)}.${String(key)}.${String(idx)}`);
        const single = obj ? undefined : at.get(`${String(s)}.${String(key)}`);
        const value = valueAt(raw, issue.path);
        if (obj) return { field: fieldPath(rest), message: zhIssue(issue, value), object: obj };
        if (single) return { field: fieldPath(issue.path.slice(2)), message: zhIssue(issue, value), object: single };
        return { field: fieldPath(issue.path), message: `配置文件中：${zhIssue(issue, value)}` };
      }),
    };
  }

  /** The running configuration: the file and the stored objects; null with the problems when they do not fit together. */
  async effective(): Promise<{ ok: true; config: unknown } | { ok: false; problems: ObjectProblem[] }> {
    return this.validate(await this.stored());
  }

  /** Every object of a kind, the file's and the store's, as the API lists them. */
  async list(kindName: string): Promise<ConfigObject[]> {
    const k = this.kinds.get(kindName)!;
    const fromFile = this.fileObjects(k).map((data): ConfigObject => ({ kind: k.kind, id: this.idOf(k, data), managedBy: 'file', version: 0, data, updatedAt: null, updatedBy: null }));
    const fileIds = new Set(fromFile.map((o) => o.id));
    const rows = (await this.o.db.query<Row>(`SELECT kind, id, version, data, deleted, updated_at, updated_by FROM config_objects WHERE kind = $1 AND NOT deleted ORDER BY id`, [k.kind])).rows;
    return [...fromFile, ...rows.map((r) => ({ ...this.view(r), ...(fileIds.has(r.id) ? { shadowed: true } : {}) }))];
  }

  /** One object: the file's when the file has it (a stored one of that id is shadowed), else the stored one — one row read, not the kind's list. */
  async get(kindName: string, id: string): Promise<ConfigObject | null> {
    const k = this.kinds.get(kindName)!;
    const data = this.fileObjects(k).find((d) => this.idOf(k, d) === id);
    if (data) return { kind: k.kind, id, managedBy: 'file', version: 0, data, updatedAt: null, updatedBy: null };
    const row = (await this.o.db.query<Row>(`SELECT kind, id, version, data, deleted, updated_at, updated_by FROM config_objects WHERE kind = $1 AND id = $2 AND NOT deleted`, [k.kind, id])).rows[0];
    return row ? this.view(row) : null;
  }

  private view(r: Row): ConfigObject {
    return { kind: r.kind, id: r.id, managedBy: 'ui', version: r.version, data: r.data, updatedAt: new Date(r.updated_at).toISOString(), updatedBy: r.updated_by };
  }

  async history(kindName: string, id: string, limit = 100): Promise<ConfigVersion[]> {
    const rows = (
      await this.o.db.query<{ seq: string; kind: string; id: string; version: number; action: VersionAction; before: ObjectData | null; after: ObjectData | null; actor: string; role: string | null; reason: string; ts: Date | string }>(
        `SELECT seq, kind, id, version, action, before, after, actor, role, reason, ts FROM config_versions WHERE kind = $1 AND id = $2 ORDER BY version DESC LIMIT $3`,
        [kindName, id, limit],
      )
    ).rows;
    return rows.map((r) => ({ ...r, seq: Number(r.seq), ts: new Date(r.ts).toISOString(), diff: diffObjects(r.before ?? {}, r.after ?? {}) }));
  }

  /** The highest version sequence: a reader in another process polls it to notice changes. */
  async lastSeq(): Promise<number> {
    const r = await this.o.db.query<{ n: string | null }>(`SELECT max(seq)::text AS n FROM config_versions`);
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * Writes one object (data) or deletes it (null): checks who may, that the file does not manage it, that the whole
   * configuration is still valid with it; then a new version row and the current row, in one transaction; then applies.
   */
  async write(
    kindName: string, id: string, data: ObjectData | null, action: VersionAction, actor: Actor, p?: Principal,
    /** refuseMasked: the data came from a form or the API (not the store), so a secret still *** there is refused (422). */
    opts: { mustExist?: boolean; mustNotExist?: boolean; refuseMasked?: boolean } = {},
  ): Promise<WriteResult> {
    const k = this.kinds.get(kindName);
    if (!k) return { ok: false, status: 404, code: 'unknown_kind', message: `没有这类配置对象：${kindName}` };
    if (k.singleton && id !== k.singleton) return { ok: false, status: 404, code: 'not_found', message: `${k.label}只有一个，其编号为 ${k.singleton}` };
    const fromFile = this.fileObjects(k).find((d) => this.idOf(k, d) === id);
    if (fromFile && p && !k.canWrite(p, fromFile)) return { ok: false, status: 403, code: 'forbidden', message: `角色 ${p.role} 无权修改${k.label} ${id}（需要 ${k.needs}）` };
    if (fromFile) {
      return { ok: false, status: 409, code: 'managed_by_file', message: `${k.label} ${id} 由配置文件管理（${k.section}.${k.key}），不能在界面或 API 中修改：请修改配置文件，或先从文件中移除它、再用 \`config import\` 导入到配置库` };
    }
    if (data && !k.singleton) {
      data = { ...data, [k.idKey]: id };
      if (data[k.idKey] !== id) return { ok: false, status: 400, code: 'bad_id', message: `对象的 ${k.idKey} 应为 ${id}` };
    }
    let validated: unknown;
    let newCache: { seq: number; set: ObjectSet } | undefined;
    const res = await this.o.db.tx(async (q): Promise<WriteResult> => {
      await q.query(`SELECT pg_advisory_xact_lock(7370750)`); // one writer at a time: each validates against the last
      const cur = (await q.query<Row>(`SELECT kind, id, version, data, deleted, updated_at, updated_by FROM config_objects WHERE kind = $1 AND id = $2`, [k.kind, id])).rows[0];
      const live = cur && !cur.deleted ? cur : undefined;
      if (opts.mustExist && !live) return { ok: false, status: 404, code: 'not_found', message: `没有${k.label} ${id}（或已归档）` };
      if (opts.mustNotExist && live) return { ok: false, status: 409, code: 'exists', message: `${k.label} ${id} 已存在：换一个${k.idKey === 'id' ? '编号' : '名称'}，或编辑已有的那个` };
      if (!data && !live) return { ok: false, status: 404, code: 'not_found', message: `没有${k.label} ${id}（或已归档）` };
      if (p) {
        if (live && !k.canWrite(p, live.data)) return { ok: false, status: 403, code: 'forbidden', message: `角色 ${p.role} 无权修改${k.label} ${id}（需要 ${k.needs}）` };
        if (data && !k.canWrite(p, data)) return { ok: false, status: 403, code: 'forbidden', message: `角色 ${p.role} 无权写入这样的${k.label}（需要 ${k.needs}）` };
      }
      if (data && live && canon(data) === canon(live.data)) return { ok: true, object: this.view(live), before: live.data, version: null };
      // A secret still *** after the route's unredact has no stored value behind it (a new list item, one moved and
      // edited): refused with its path, never stored as the literal mask; after who may write and the file's claim,
      // so a reader learns no more than 403 and a file object answers 409.
      const masked = data && opts.refuseMasked ? maskedSecretProblems(data) : [];
      if (masked.length) return { ok: false, status: 422, code: 'invalid_config', message: `${k.label} ${id} 未保存：${masked[0].message}`, problems: masked };
      const set = await this.stored(q);
      if (data) set.get(k.kind)!.set(id, data);
      else set.get(k.kind)!.delete(id);
      const v = this.validate(set);
      validated = v.ok ? v.config : undefined;
      if (!v.ok) {
        const mine = v.problems.filter((x) => x.object?.kind === k.kind && x.object.id === id);
        const others = v.problems.filter((x) => !(x.object?.kind === k.kind && x.object.id === id));
        const first = mine[0] ?? others[0];
        const where = (x: ObjectProblem) => (x.object && !(x.object.kind === k.kind && x.object.id === id) ? `${this.kinds.get(x.object.kind)?.label ?? x.object.kind} ${x.object.id} 的 ` : '');
        return {
          ok: false, status: 422, code: 'invalid_config',
          message: `${k.label} ${id} 未保存：${v.problems.length} 处问题，第一处在 ${where(first)}${first.field || '（整体）'}：${first.message}`,
          problems: [...mine, ...others],
        };
      }
      const version = (cur?.version ?? 0) + 1;
      const ts = new Date(this.o.clock());
      const before = live?.data ?? null;
      await q.query(
        `INSERT INTO config_objects (kind, id, version, data, deleted, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (kind, id) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data, deleted = EXCLUDED.deleted, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
        [k.kind, id, version, JSON.stringify(data ?? before), !data, ts, actor.name],
      );
      const seq = await q.query<{ seq: string }>(
        `INSERT INTO config_versions (kind, id, version, action, before, after, actor, role, reason, ts) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING seq`,
        [k.kind, id, version, action, before && JSON.stringify(before), data && JSON.stringify(data), actor.name, actor.role ?? null, actor.reason ?? '', ts],
      );
      newCache = { seq: Number(seq.rows[0].seq), set };
      const row: Row = { kind: k.kind, id, version, data: data ?? before!, deleted: !data, updated_at: ts, updated_by: actor.name };
      return {
        ok: true, object: this.view(row), before,
        version: { seq: Number(seq.rows[0].seq), kind: k.kind, id, version, action, before, after: data, diff: diffObjects(before ?? {}, data ?? {}), actor: actor.name, role: actor.role ?? null, reason: actor.reason ?? '', ts: ts.toISOString() },
      };
    });
    if (res.ok && newCache) this.cache = newCache;
    if (res.ok && res.version) await this.o.onChange?.(validated);
    return res;
  }

  /** Rolls an object back to a version: a new version whose content is that one's (a deleted version deletes). */
  async rollback(kindName: string, id: string, toVersion: number, actor: Actor, p?: Principal): Promise<WriteResult> {
    const r = await this.o.db.query<{ after: ObjectData | null }>(`SELECT after FROM config_versions WHERE kind = $1 AND id = $2 AND version = $3`, [kindName, id, toVersion]);
    if (!r.rows[0]) return { ok: false, status: 404, code: 'no_version', message: `${this.kinds.get(kindName)?.label ?? kindName} ${id} 没有版本 ${toVersion}；可用的版本见其历史` };
    return this.write(kindName, id, r.rows[0].after, 'rollback', { ...actor, reason: actor.reason || `回滚到版本 ${toVersion}` }, p);
  }

  /**
   * An import plan: for each object of a document (the file format), what changes against what runs. The file's
   * objects cannot be changed here; ones the store has and the document lacks are listed (archived with prune).
   */
  async plan(doc: unknown, prune = false): Promise<ImportPlan> {
    const set = await this.stored();
    const changes: ImportChange[] = [];
    const errors: ObjectProblem[] = [];
    for (const k of this.kinds.values()) {
      let list = valueAt(doc, [k.section, k.key]);
      if (list === undefined) continue;
      // A singleton (alerts.route) is one object in the document: a list of one here, with its one id.
      if (k.singleton) {
        if (!list || typeof list !== 'object' || Array.isArray(list)) {
          errors.push({ field: `${k.section}.${k.key}`, message: '应为对象' });
          continue;
        }
        list = [list];
      }
      if (!Array.isArray(list)) {
        errors.push({ field: `${k.section}.${k.key}`, message: '应为列表' });
        continue;
      }
      const fileById = new Map(this.fileObjects(k).map((d) => [this.idOf(k, d), d]));
      const seen = new Set<string>();
      const current = set.get(k.kind)!;
      for (const item of list as ObjectData[]) {
        const id = item && typeof item === 'object' ? (k.singleton ?? item[k.idKey]) : undefined;
        if (typeof id !== 'string' || !id) {
          errors.push({ field: `${k.section}.${k.key}`, message: `一项缺少 ${k.idKey}` });
          continue;
        }
        seen.add(id);
        const f = fileById.get(id);
        if (f) {
          if (canon(f) !== canon(item)) errors.push({ field: `${k.section}.${k.key}`, message: `${k.label} ${id} 由配置文件管理，不能导入改动：请直接修改配置文件`, object: { kind: k.kind, id } });
          continue;
        }
        const before = current.get(id);
        if (before && canon(before) === canon(item)) continue;
        changes.push({ kind: k.kind, id, op: before ? 'update' : 'create', before: before ?? null, after: item, diff: diffObjects(before ?? {}, item) });
        current.set(id, item);
      }
      for (const [id, before] of [...current]) {
        if (seen.has(id)) continue;
        if (prune) {
          changes.push({ kind: k.kind, id, op: 'delete', before, after: null, diff: diffObjects(before, {}) });
          current.delete(id);
        } else changes.push({ kind: k.kind, id, op: 'keep', before, after: before, diff: [] });
      }
    }
    if (!errors.length) {
      const v = this.validate(set);
      if (!v.ok) errors.push(...v.problems);
    }
    return { changes, errors };
  }

  /**
   * Switches many objects of a kind on or off in one transaction (each a new version: enable / disable) and applies
   * once; the ones that cannot be switched are listed with why (file-managed, missing, not the writer's).
   */
  async setEnabledMany(kindName: string, ids: string[], on: boolean, actor: Actor, p?: Principal): Promise<{ changed: ImportChange[]; unchanged: string[]; refused: { id: string; code: string; message: string }[]; problems: ObjectProblem[] }> {
    const k = this.kinds.get(kindName)!;
    const key = k.enabledKey!;
    const set = await this.stored();
    const fileIds = this.fileIds(k);
    const current = set.get(k.kind)!;
    const changed: ImportChange[] = [];
    const unchanged: string[] = [];
    const refused: { id: string; code: string; message: string }[] = [];
    for (const id of new Set(ids)) {
      const before = current.get(id);
      if (fileIds.has(id)) refused.push({ id, code: 'managed_by_file', message: `${k.label} ${id} 由配置文件管理：请在配置文件中修改` });
      else if (!before) refused.push({ id, code: 'not_found', message: `没有${k.label} ${id}（或已归档）` });
      else if (p && !k.canWrite(p, before)) refused.push({ id, code: 'forbidden', message: `角色 ${p.role} 无权修改${k.label} ${id}（需要 ${k.needs}）` });
      else if ((before[key] !== false) === on) unchanged.push(id);
      else {
        // The form the editor writes: on is the default (the key left out), off is written.
        const after: ObjectData = { ...before };
        if (on) delete after[key];
        else after[key] = false;
        current.set(id, after);
        changed.push({ kind: k.kind, id, op: 'update', before, after, diff: diffObjects(before, after) });
      }
    }
    if (changed.length) {
      const v = this.validate(set);
      if (!v.ok) return { changed: [], unchanged, refused, problems: v.problems };
      await this.apply({ changes: changed, errors: [] }, actor, on ? 'enable' : 'disable');
    }
    return { changed, unchanged, refused, problems: [] };
  }

  /** Applies a plan in one transaction (every object's version), then the running configuration once. */
  async apply(plan: ImportPlan, actor: Actor, action: VersionAction = 'import'): Promise<number> {
    if (plan.errors.length) throw new Error('the plan has errors; nothing applied');
    const todo = plan.changes.filter((c) => c.op !== 'keep');
    if (!todo.length) return 0;
    await this.o.db.tx(async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(7370750)`);
      const ts = new Date(this.o.clock());
      const versions = new Map((await q.query<{ kind: string; id: string; version: number }>(`SELECT kind, id, version FROM config_objects`)).rows.map((r) => [`${r.kind}\u0000${r.id}`, r.version]));
      const rows = todo.map((c) => ({ c, version: (versions.get(`${c.kind}\u0000${c.id}`) ?? 0) + 1 }));
      // In batches (db.insertMany): an import of 10,000 objects is a few statements, not 20,000.
      await this.o.db.insertMany('config_objects', ['kind', 'id', 'version', 'data', 'deleted', 'updated_at', 'updated_by'],
        rows.map(({ c, version }) => [c.kind, c.id, version, JSON.stringify(c.after ?? c.before), !c.after, ts, actor.name]),
        `ON CONFLICT (kind, id) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data, deleted = EXCLUDED.deleted, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`, q);
      await this.o.db.insertMany('config_versions', ['kind', 'id', 'version', 'action', 'before', 'after', 'actor', 'role', 'reason', 'ts'],
        rows.map(({ c, version }) => [c.kind, c.id, version, c.op === 'delete' ? 'delete' : action, c.before && JSON.stringify(c.before), c.after && JSON.stringify(c.after), actor.name, actor.role ?? null, actor.reason ?? 'config import', ts]),
        '', q);
    });
    await this.o.onChange?.();
    return todo.length;
  }

  /** What runs, in the file's format: every kind's objects (the file's and the store's), for `config export`. */
  async exportDoc(): Promise<Record<string, Record<string, ObjectData[] | ObjectData>>> {
    const out: Record<string, Record<string, ObjectData[] | ObjectData>> = {};
    for (const k of this.kinds.values()) {
      const objs = (await this.list(k.kind)).filter((o) => !o.shadowed);
      if (k.singleton) {
        if (objs[0]) (out[k.section] ??= {})[k.key] = objs[0].data;
      } else (out[k.section] ??= {})[k.key] = objs.map((o) => o.data);
    }
    return out;
  }
}

export interface ImportChange {
  kind: string;
  id: string;
  /** keep: stored, not in the document, left alone (without prune). */
  op: 'create' | 'update' | 'delete' | 'keep';
  before: ObjectData | null;
  after: ObjectData | null;
  diff: FieldChange[];
}
export interface ImportPlan {
  changes: ImportChange[];
  errors: ObjectProblem[];
}
