import { createHash } from 'node:crypto';
import { canon, diffObjects, type Actor, type ConfigObjects, type ImportChange, type ObjectData } from '../../core/config/store';
import type { CatalogueChange, CatalogueMissing, CataloguePreview, CatalogueProblem } from '../../contract/catalogue';
import { CATALOGUE_COLUMNS, type CatalogueEntry, type CatalogueRead } from './read';

/**
 * The catalogue as configuration objects (README: 接口目录导入): one http target per interface, in the module of its
 * 所属系统 (found by name, created when missing), tagged with its 接口编码 (tags.catalogue, the key of a re-import),
 * 提供部门 (tags.department), 重要程度 (tags.importance) and, when 涉敏, tags.sensitive = "true".
 *
 * The catalogue owns these fields of a target (a re-import sets them as the file says): module, name, type, spec.url,
 * spec.method, those tags, and spec.expectStatus / spec.json / interval when the file has their column. Everything
 * else an operator set (enabled, timeout, thresholds, headers, auth, other tags) is kept.
 */
const OWNED_TAGS = ['catalogue', 'system', 'department', 'importance', 'sensitive'];
const ID_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 10);

/** A target id from a 接口编码: the code itself in lower case when it is a valid id, else a readable part and a hash. */
export function targetIdOf(code: string): string {
  const lower = code.toLowerCase();
  if (ID_RE.test(lower)) return lower;
  const readable = lower.replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '').slice(0, 40);
  return `${readable ? readable + '-' : 'if-'}${shortHash(code)}`;
}

/** A new module's id for a 所属系统 that no module has as its name. */
export function moduleIdOf(system: string): string {
  const lower = system.toLowerCase();
  return ID_RE.test(lower) ? lower : `sys-${shortHash(system)}`;
}

function without(o: unknown, keys: string[]): Record<string, unknown> {
  const out = { ...((o && typeof o === 'object' ? o : {}) as Record<string, unknown>) };
  for (const k of keys) delete out[k];
  return out;
}

/** The target of an entry, over what is stored (the fields the catalogue does not own are kept). */
export function targetOf(e: CatalogueEntry, id: string, module: string, before: ObjectData | undefined): ObjectData {
  const spec: Record<string, unknown> = { ...without(before?.spec, ['url', 'method']), url: e.url };
  if (e.method !== 'GET') spec.method = e.method;
  if (e.owns.expectStatus) {
    if (e.expectStatus) spec.expectStatus = e.expectStatus;
    else delete spec.expectStatus;
  }
  if (e.owns.json) {
    if (e.json) spec.json = e.json;
    else delete spec.json;
  }
  const tags: Record<string, string> = {
    ...(without(before?.tags, OWNED_TAGS) as Record<string, string>),
    catalogue: e.code, system: e.system, department: e.department, importance: e.importance,
    ...(e.sensitive ? { sensitive: 'true' } : {}),
  };
  const t: ObjectData = { ...(before ?? {}), id, module, name: e.name, type: 'http', tags, spec };
  if (e.owns.interval) {
    if (e.interval) t.interval = e.interval;
    else delete t.interval;
  }
  return t;
}

/** Which column a problem of the whole configuration's check is about, from the field of the target. */
function columnOfField(field: string): string {
  if (field.startsWith('spec.url')) return CATALOGUE_COLUMNS.url;
  if (field.startsWith('spec.method') || field.startsWith('spec.body')) return CATALOGUE_COLUMNS.method;
  if (field.startsWith('spec.expectStatus')) return CATALOGUE_COLUMNS.expectStatus;
  if (field.startsWith('spec.json')) return CATALOGUE_COLUMNS.assertion;
  if (field === 'interval' || field === 'timeout') return CATALOGUE_COLUMNS.interval;
  if (field === 'name') return CATALOGUE_COLUMNS.name;
  if (field === 'module') return CATALOGUE_COLUMNS.system;
  if (field.startsWith('tags')) return CATALOGUE_COLUMNS.department;
  return CATALOGUE_COLUMNS.code;
}

export interface CataloguePlan {
  preview: CataloguePreview;
  /** What `ConfigObjects.apply` writes: modules created, targets created / updated, missing ones archived. */
  changes: ImportChange[];
}

export class CatalogueConfigError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(`运行中的配置本身有问题，无法导入：${problems[0]?.field}：${problems[0]?.message}`);
  }
}

/**
 * What an import of the read catalogue changes against what runs. Rows with a problem are left out (the others still
 * import); the result is checked as the whole configuration (the file's schema, as every write is), and a target
 * that does not fit is left out too, with the problem under its row and column.
 */
export async function planCatalogue(objects: ConfigObjects, read: CatalogueRead, opts: { archiveMissing?: boolean; dryRun: boolean }): Promise<CataloguePlan> {
  const set = await objects.stored();
  const storedModules = set.get('module')!;
  const storedTargets = set.get('target')!;
  const fileModules = objects.fileObjects(objects.kind('module')!);
  const fileTargetIds = new Set(objects.fileObjects(objects.kind('target')!).map((t) => String(t.id)));
  const moduleByName = new Map<string, string>();
  for (const m of [...fileModules, ...storedModules.values()]) if (!moduleByName.has(String(m.name))) moduleByName.set(String(m.name), String(m.id));
  const moduleIds = new Set([...fileModules.map((m) => String(m.id)), ...storedModules.keys()]);
  const idByCode = new Map<string, string>();
  for (const [id, t] of storedTargets) {
    const code = (t.tags as Record<string, unknown> | undefined)?.catalogue;
    if (typeof code === 'string') idByCode.set(code, id);
  }

  const errors: CatalogueProblem[] = [...read.problems];
  const seen = new Map<string, number>(read.problems.filter((p) => p.interfaceCode).map((p) => [p.interfaceCode!, p.row]));
  const modulesCreated: CataloguePreview['modulesCreated'] = [];
  const moduleChanges = new Map<string, ImportChange>();
  type Pending = { e: CatalogueEntry; id: string; module: string; before: ObjectData | undefined; after: ObjectData };
  const pending = new Map<string, Pending>();
  const codeById = new Map<string, string>();
  const problem = (e: CatalogueEntry, column: string, code: string, message: string) => errors.push({ row: e.row, column, code, message, interfaceCode: e.code });

  for (const e of read.entries) {
    const first = seen.get(e.code);
    if (first !== undefined && first !== e.row) {
      problem(e, CATALOGUE_COLUMNS.code, 'duplicate_code', `接口编码 ${e.code} 与第 ${first} 行重复：每个接口一行，编码唯一`);
      continue;
    }
    seen.set(e.code, e.row);
    const id = idByCode.get(e.code) ?? targetIdOf(e.code);
    if (fileTargetIds.has(id)) {
      problem(e, CATALOGUE_COLUMNS.code, 'managed_by_file', `监测对象 ${id} 由配置文件管理，导入不能修改它：请在配置文件中修改，或从文件中移除后再导入`);
      continue;
    }
    const before = storedTargets.get(id);
    const beforeCode = (before?.tags as Record<string, unknown> | undefined)?.catalogue;
    if (before && beforeCode !== e.code) {
      problem(e, CATALOGUE_COLUMNS.code, 'id_conflict', `接口编码 ${e.code} 对应的编号 ${id} 已被另一个监测对象（${String(before.name)}）使用：请改用不同的接口编码，或先归档那个监测对象`);
      continue;
    }
    if (codeById.has(id) && codeById.get(id) !== e.code) {
      problem(e, CATALOGUE_COLUMNS.code, 'id_conflict', `接口编码 ${e.code} 转成的编号 ${id} 与另一行的相同（编号不区分大小写）：请让接口编码在忽略大小写后也唯一`);
      continue;
    }
    let module = moduleByName.get(e.system);
    if (!module) {
      module = moduleIdOf(e.system);
      while (moduleIds.has(module)) module = `${module.slice(0, 50)}-${shortHash(module + e.system)}`.slice(0, 64);
      const data: ObjectData = { id: module, name: e.system, tags: { department: e.department } };
      moduleByName.set(e.system, module);
      moduleIds.add(module);
      moduleChanges.set(module, { kind: 'module', id: module, op: 'create', before: null, after: data, diff: diffObjects({}, data) });
      modulesCreated.push({ id: module, name: e.system, department: e.department });
    }
    pending.set(e.code, { e, id, module, before, after: targetOf(e, id, module, before) });
    codeById.set(id, e.code);
  }

  // Checked as the whole configuration; a target that does not fit is dropped with its problem, and the rest checked again.
  for (let round = 0; round < 5; round++) {
    const trial = new Map([...set].map(([k, m]) => [k, new Map(m)]));
    for (const c of moduleChanges.values()) trial.get('module')!.set(c.id, c.after!);
    for (const p of pending.values()) trial.get('target')!.set(p.id, p.after);
    const v = objects.validate(trial);
    if (v.ok) break;
    const byId = new Map([...pending.values()].map((p) => [p.id, p]));
    const mine = v.problems.filter((x) => x.object?.kind === 'target' && byId.has(x.object.id));
    if (!mine.length) throw new CatalogueConfigError(v.problems);
    for (const x of mine) {
      const p = byId.get(x.object!.id)!;
      if (pending.delete(p.e.code)) problem(p.e, columnOfField(x.field), 'invalid_config', `${x.field ? x.field + '：' : ''}${x.message}`);
      else if (!errors.some((y) => y.row === p.e.row && y.message.endsWith(x.message))) problem(p.e, columnOfField(x.field), 'invalid_config', x.message);
    }
  }
  // A module is created only for rows that still import.
  const usedModules = new Set([...pending.values()].map((p) => p.module));
  for (const id of [...moduleChanges.keys()]) if (!usedModules.has(id)) moduleChanges.delete(id);

  const changes: ImportChange[] = [...moduleChanges.values()];
  const listed: CatalogueChange[] = [];
  let unchanged = 0;
  for (const p of pending.values()) {
    if (p.before && canon(p.before) === canon(p.after)) {
      unchanged++;
      continue;
    }
    const op = p.before ? 'update' : 'create';
    const diff = diffObjects(p.before ?? {}, p.after);
    changes.push({ kind: 'target', id: p.id, op, before: p.before ?? null, after: p.after, diff });
    listed.push({ op, row: p.e.row, interfaceCode: p.e.code, id: p.id, name: p.e.name, module: p.module, diff: op === 'update' ? diff : [] });
  }
  const missing: CatalogueMissing[] = [];
  for (const [code, id] of idByCode) {
    if (seen.has(code)) continue;
    const before = storedTargets.get(id)!;
    missing.push({ interfaceCode: code, id, name: String(before.name ?? ''), archived: !!opts.archiveMissing });
    if (opts.archiveMissing) changes.push({ kind: 'target', id, op: 'delete', before, after: null, diff: diffObjects(before, {}) });
  }
  errors.sort((a, b) => a.row - b.row);
  const count = (op: string) => listed.filter((c) => c.op === op).length;
  return {
    changes,
    preview: {
      dryRun: opts.dryRun,
      applied: false,
      format: read.format,
      ...(read.encoding ? { encoding: read.encoding } : {}),
      counts: {
        rows: read.rows, create: count('create'), update: count('update'), unchanged, missing: missing.length,
        archived: opts.archiveMissing ? missing.length : 0, errors: new Set(errors.map((e) => e.row)).size, skipped: read.skipped, modulesCreated: moduleChanges.size,
      },
      modulesCreated: modulesCreated.filter((m) => moduleChanges.has(m.id)),
      changes: listed,
      missing,
      errors,
    },
  };
}

/** Plans and, unless a dry run, applies in one transaction (each object a new version) and to the running configuration. */
export async function importCatalogue(objects: ConfigObjects, read: CatalogueRead, opts: { archiveMissing?: boolean; dryRun: boolean; actor: Actor }): Promise<CataloguePreview> {
  const plan = await planCatalogue(objects, read, opts);
  if (opts.dryRun) return plan.preview;
  if (plan.changes.length) await objects.apply({ changes: plan.changes, errors: [] }, opts.actor);
  return { ...plan.preview, applied: true };
}
