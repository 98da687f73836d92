import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../http';
import { listQuery, queryInput } from '../input';
import type { AuthService } from '../auth/service';
import type { ConfigObject, ConfigObjects, WriteResult, ObjectData, VersionAction } from './store';
import { redact, redactDiff, unredact } from './redact';


/**
 * GET / of a kind: one page (default every object, at most 10,000) searched and filtered on the server — `q` (id,
 * name, spec.url or host, tags.catalogue), `module`, `department` (tags.department), `enabled` (on | off),
 * `managed` (ui | file); sorted by id; the answer also lists every `departments` value of the kind, for the filter.
 */
export const configListQuery = listQuery(
  {
    module: z.string().max(128).optional(),
    department: z.string().max(200).optional(),
    enabled: z.enum(['on', 'off'], { message: '应为 on（启用）或 off（已停用）' }).optional(),
    managed: z.enum(['ui', 'file'], { message: '应为 ui（界面 / 导入）或 file（配置文件）' }).optional(),
  },
  { sorts: ['id'] as const, defaultSort: 'id', limit: 10_000, max: 10_000 },
);

/**
 * The write API of one kind of configuration object, mounted by the area that owns the kind (e.g.
 * /api/collector/config/targets):
 *   GET    /               the objects, the file's (read-only) and the store's: a page, searched and filtered (configListQuery)
 *   GET    /:id            one, with managedBy and version
 *   POST   /               create            { data, reason? }
 *   PUT    /:id            edit              { data, reason? }
 *   POST   /:id/clone      copy under a new id { id, reason? }
 *   POST   /:id/enable, /:id/disable        { reason? }
 *   POST   /bulk          switch many on or off in one transaction { ids, enabled, reason? }
 *   DELETE /:id            archive (history kept)  ?reason=
 *   GET    /:id/history    every version, newest first, with the field diff
 *   POST   /:id/rollback   { version, reason? }
 * A singleton kind (ConfigKind.singleton: the routing tree) has one id; PUT /<that id> sets it (created if not stored).
 * Problems answer 422 with `problems: [{ field, message }]` (Chinese, for the form), 409 for a file-managed object;
 * a secret sent as *** with no stored value behind it (redact.ts: unredact) is such a problem, at its path.
 * Every write is audited (`config.<kind>.<action>`) with the object before and after.
 */
export function configObjectRoutes(objects: ConfigObjects, kindName: string, auth: AuthService) {
  const kind = objects.kind(kindName)!;
  const r = new Hono<AppEnv>();
  // The kind's own schema says what a good id is (a target's: lower-case letters …); here only what a path can carry.
  const idRe = /^[^/\\\u0000-\u001f]{1,128}$/;
  const body = z.object({ data: z.record(z.string(), z.unknown()), reason: z.string().max(500).optional() }).strict();
  const reasonOnly = z.object({ reason: z.string().max(500).optional() }).strict();
  const cloneBody = z.object({ id: z.string().regex(idRe), reason: z.string().max(500).optional() }).strict();
  const rollbackBody = z.object({ version: z.number().int().min(1), reason: z.string().max(500).optional() }).strict();
  const bulkBody = z.object({ ids: z.array(z.string().regex(idRe)).min(1).max(10_000), enabled: z.boolean(), reason: z.string().max(500).optional() }).strict();

  const parse = async <T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> => {
    const j = await readJson(c);
    if (!j.ok) return j;
    const p = schema.safeParse(j.value ?? {});
    if (p.success) return { ok: true, value: p.data };
    const i = p.error.issues[0];
    return { ok: false, response: httpError(c, 400, 'bad_request', `请求体不对：${i.path.join('.') || '（整体）'}：${i.message}`, { field: i.path.join('.') }) };
  };
  const actorOf = (c: Context<AppEnv>, reason?: string) => {
    const p = c.get('principal')!;
    return { name: p.name, role: p.role, reason: reason ?? '' };
  };
  // The audit entry's before / after / diff with secrets masked (house rule: no secret in a log); the versions keep them.
  const answer = async (c: Context<AppEnv>, res: WriteResult, action: VersionAction, status: 200 | 201 = 200) => {
    if (!res.ok) return httpError(c, res.status, res.code, res.message, res.problems ? { problems: res.problems } : {});
    if (res.version) {
      await auditFrom(c, auth, {
        action: `config.${kind.kind}.${action}`,
        target: `${kind.kind}:${res.object.id}`,
        details: { version: res.version.version, reason: res.version.reason, before: redact(res.before), after: redact(res.version.after), diff: redactDiff(res.version.diff) },
      });
    }
    return c.json({ object: res.object, version: res.version }, status);
  };
  const idOf = (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    return idRe.test(id) ? id : null;
  };
  const badId = (c: Context<AppEnv>) => httpError(c, 400, 'bad_id', `${kind.label}的${kind.idKey === 'id' ? '编号' : '名称'}不合法：1–128 个字符，不含 / \\ 与控制字符`, { field: kind.idKey });

  // A reader who may not write the object sees its secrets masked (a token, a password, header values); a writer needs
  // them as they are to edit (the file's form: usually { env: NAME }, not the secret itself).
  // `mayWrite` tells the page whether to offer the form (the server decides again on every write).
  const shown = (c: Context<AppEnv>, o: ConfigObject): ConfigObject => {
    const may = kind.canWrite(c.get('principal')!, o.data);
    return may ? { ...o, mayWrite: o.managedBy === 'ui' } : { ...o, data: redact(o.data) as ObjectData, mayWrite: false };
  };
  r.get('/', requirePermission('read'), async (c) => {
    const p = queryInput(c, configListQuery);
    if (!p.ok) return p.response;
    const { limit, offset, q, sort, module, department, enabled, managed } = p.value;
    const all = await objects.list(kind.kind);
    const tag = (o: ConfigObject, k: string) => {
      const t = o.data.tags;
      return t && typeof t === 'object' && !Array.isArray(t) ? String((t as Record<string, unknown>)[k] ?? '') : '';
    };
    const text = q.toLowerCase();
    const hay = (o: ConfigObject) => {
      const spec = (o.data.spec ?? {}) as Record<string, unknown>;
      return [o.id, o.data.name, spec.url, spec.host, tag(o, 'catalogue')].map((v) => String(v ?? '').toLowerCase());
    };
    const rows = all.filter((o) =>
      (!module || o.data.module === module) &&
      (!department || tag(o, 'department') === department) &&
      (!enabled || (enabled === 'off') === (kind.enabledKey !== undefined && o.data[kind.enabledKey] === false)) &&
      (!managed || o.managedBy === managed) &&
      (!text || hay(o).some((v) => v.includes(text))));
    rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (sort.desc) rows.reverse();
    const departments = [...new Set(all.map((o) => tag(o, 'department')).filter(Boolean))].sort();
    return c.json({ total: rows.length, limit, offset, items: rows.slice(offset, offset + limit).map((o) => shown(c, o)), departments });
  });
  r.get('/:id', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    const o = await objects.get(kind.kind, id);
    return o ? c.json(shown(c, o)) : httpError(c, 404, 'not_found', `没有${kind.label} ${id}`);
  });
  r.get('/:id/history', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    const may = (await objects.get(kind.kind, id).then((o) => o && kind.canWrite(c.get('principal')!, o.data))) ?? false;
    // A diff of a list (channels) carries its items whole: their secret keys are masked too.
    const items = (await objects.history(kind.kind, id)).map((v) => (may ? v : { ...v, before: redact(v.before) as ObjectData | null, after: redact(v.after) as ObjectData | null, diff: redactDiff(v.diff) }));
    return c.json({ total: items.length, limit: items.length, offset: 0, items });
  });
  r.post('/', requirePermission('read'), async (c) => {
    const b = await parse(c, body);
    if (!b.ok) return b.response;
    const id = kind.singleton ?? b.value.data[kind.idKey];
    if (typeof id !== 'string' || !idRe.test(id)) {
      return httpError(c, 422, 'invalid_config', `请填写${kind.label}的${kind.idKey === 'id' ? '编号' : '名称'}（${kind.idKey}）`, { problems: [{ field: kind.idKey, message: '必填：1–128 个字符，不含 / \\ 与控制字符' }] });
    }
    return answer(c, await objects.write(kind.kind, id, b.value.data, 'create', actorOf(c, b.value.reason), c.get('principal')!, { mustNotExist: true, refuseMasked: true }), 'create', 201);
  });
  r.put('/:id', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    const b = await parse(c, body);
    if (!b.ok) return b.response;
    const cur = await objects.get(kind.kind, id);
    // A singleton (the routing tree) is set by PUT whether or not it is stored yet: its first version is a create.
    if (kind.singleton && id === kind.singleton && !cur) {
      return answer(c, await objects.write(kind.kind, id, b.value.data, 'create', actorOf(c, b.value.reason), c.get('principal')!, { mustNotExist: true, refuseMasked: true }), 'create', 201);
    }
    const data = cur ? (unredact(b.value.data, cur.data) as ObjectData) : b.value.data;
    return answer(c, await objects.write(kind.kind, id, data, 'update', actorOf(c, b.value.reason), c.get('principal')!, { mustExist: true, refuseMasked: true }), 'update');
  });
  r.post('/:id/clone', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    if (kind.singleton) return httpError(c, 400, 'singleton', `${kind.label}只有一个，不能复制`);
    const b = await parse(c, cloneBody);
    if (!b.ok) return b.response;
    const src = await objects.get(kind.kind, id);
    if (!src) return httpError(c, 404, 'not_found', `没有${kind.label} ${id}`);
    const data: ObjectData = { ...structuredClone(src.data), [kind.idKey]: b.value.id };
    // A push target's token must be unique: the copy is saved without it and gets a field message asking for one.
    if ('token' in data) delete data.token;
    return answer(c, await objects.write(kind.kind, b.value.id, data, 'create', actorOf(c, b.value.reason ?? `复制自 ${id}`), c.get('principal')!, { mustNotExist: true }), 'create', 201);
  });
  for (const on of [true, false]) {
    r.post(`/:id/${on ? 'enable' : 'disable'}`, requirePermission('read'), async (c) => {
      const id = idOf(c);
      if (!id) return badId(c);
      if (!kind.enabledKey) return httpError(c, 400, 'not_switchable', `${kind.label}没有启用/停用开关`);
      const b = await parse(c, reasonOnly);
      if (!b.ok) return b.response;
      const cur = await objects.get(kind.kind, id);
      if (!cur) return httpError(c, 404, 'not_found', `没有${kind.label} ${id}`);
      const action = on ? 'enable' : 'disable';
      return answer(c, await objects.write(kind.kind, id, { ...cur.data, [kind.enabledKey]: on }, action, actorOf(c, b.value.reason), c.get('principal')!, { mustExist: true }), action);
    });
  }
  // Many at once (the list's selection): one transaction, one apply; each object its own version and audit entry.
  r.post('/bulk', requirePermission('read'), async (c) => {
    if (!kind.enabledKey) return httpError(c, 400, 'not_switchable', `${kind.label}没有启用/停用开关`);
    const b = await parse(c, bulkBody);
    if (!b.ok) return b.response;
    const action = b.value.enabled ? 'enable' : 'disable';
    const res = await objects.setEnabledMany(kind.kind, b.value.ids, b.value.enabled, actorOf(c, b.value.reason), c.get('principal')!);
    if (res.problems.length) return httpError(c, 422, 'invalid_config', `未保存：${res.problems[0].field}：${res.problems[0].message}`, { problems: res.problems });
    if (!res.changed.length && !res.unchanged.length && res.refused.every((x) => x.code === 'forbidden')) return httpError(c, 403, 'forbidden', res.refused[0].message);
    for (const x of res.changed) {
      await auditFrom(c, auth, { action: `config.${kind.kind}.${action}`, target: `${kind.kind}:${x.id}`, details: { bulk: true, reason: b.value.reason ?? '', before: redact(x.before), after: redact(x.after), diff: redactDiff(x.diff) } });
    }
    return c.json({ changed: res.changed.map((x) => x.id), unchanged: res.unchanged, refused: res.refused });
  });
  r.delete('/:id', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    const reason = (c.req.query('reason') ?? '').slice(0, 500);
    return answer(c, await objects.write(kind.kind, id, null, 'delete', actorOf(c, reason), c.get('principal')!, { mustExist: true }), 'delete');
  });
  r.post('/:id/rollback', requirePermission('read'), async (c) => {
    const id = idOf(c);
    if (!id) return badId(c);
    const b = await parse(c, rollbackBody);
    if (!b.ok) return b.response;
    return answer(c, await objects.rollback(kind.kind, id, b.value.version, actorOf(c, b.value.reason), c.get('principal')!), 'rollback');
  });
  return r;
}
