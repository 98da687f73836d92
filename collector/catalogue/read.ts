import YAML from 'yaml';
import { z } from 'zod';
import { decodeText, readCsv, TextFileError, type TextEncodingName } from '../../core/text-file';
import { duration } from '../../core/config/common';
import { jsonAssertionSchema } from '../probes/http';
import type { CatalogueFormat, CatalogueProblem } from '../../contract/catalogue';

/**
 * Reading an interface catalogue (README: 接口目录导入): the sharing and exchange platform's CSV export with Chinese
 * headers (UTF-8 with or without BOM, or GBK), or an OpenAPI 3 document (JSON or YAML). Each row / operation becomes
 * one `CatalogueEntry`, checked cell by cell; a bad cell is a problem naming its row and column, and the other rows
 * are still read.
 */

/** One interface of the catalogue, checked: what the mapper turns into a module and an http target. */
export interface CatalogueEntry {
  row: number;
  code: string;
  name: string;
  url: string;
  method: HttpMethod;
  system: string;
  department: string;
  importance: Importance;
  sensitive: boolean;
  /** Only the fields whose column the file has are the catalogue's (an empty cell: the default); the rest are kept. */
  expectStatus?: (number | string)[];
  json?: z.output<typeof jsonAssertionSchema>[];
  interval?: string;
  /** Which of the optional fields the file carries (a column, an x- extension): those it sets, empty or not. */
  owns: { expectStatus: boolean; json: boolean; interval: boolean };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type HttpMethod = (typeof METHODS)[number];
const IMPORTANCE = { critical: ['核心', '关键', '极高', 'critical'], high: ['高', '重要', 'high'], medium: ['中', '一般', '普通', 'medium', ''], low: ['低', '次要', 'low'] } as const;
export type Importance = keyof typeof IMPORTANCE;

/** The columns: the key in code and the header as the file has it. */
export const CATALOGUE_COLUMNS = {
  code: '接口编码',
  name: '接口名称',
  url: '接口地址',
  method: '请求方式',
  system: '所属系统',
  department: '提供部门',
  importance: '重要程度',
  sensitive: '是否涉敏',
  expectStatus: '期望状态码',
  assertion: '断言',
  interval: '检测间隔',
} as const;
type ColumnKey = keyof typeof CATALOGUE_COLUMNS;
const REQUIRED: ColumnKey[] = ['code', 'name', 'url', 'method', 'system', 'department', 'importance', 'sensitive'];

export class CatalogueFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface CatalogueRead {
  format: CatalogueFormat;
  encoding?: 'utf-8' | 'gb18030';
  rows: number;
  entries: CatalogueEntry[];
  problems: CatalogueProblem[];
  /** OpenAPI operations left out (not GET/HEAD and no x-probe: true). */
  skipped: number;
}

/** The file, whichever of the formats it is: an OpenAPI document (JSON or YAML with `openapi: 3…`) or CSV. */
export function readCatalogue(bytes: Uint8Array, opts: { format?: CatalogueFormat | 'auto'; encoding?: TextEncodingName; name?: string } = {}): CatalogueRead {
  let decoded: ReturnType<typeof decodeText>;
  try {
    decoded = decodeText(bytes, opts.encoding ?? 'auto');
  } catch (err) {
    if (err instanceof TextFileError) throw new CatalogueFileError(err.code, err.message);
    throw err;
  }
  const text = decoded.text;
  const format = opts.format && opts.format !== 'auto' ? opts.format : looksLikeOpenApi(text, opts.name) ? 'openapi' : 'csv';
  if (format === 'openapi') return readOpenApi(text);
  return { ...readCsvCatalogue(text), encoding: decoded.encoding };
}

function looksLikeOpenApi(text: string, name?: string): boolean {
  if (name && /\.(ya?ml|json)$/i.test(name)) return true;
  const head = text.trimStart().slice(0, 2000);
  return head.startsWith('{') || /^\s*["']?openapi["']?\s*:/m.test(head);
}

// ---- CSV ------------------------------------------------------------------------------------------------------------

export function readCsvCatalogue(text: string): Omit<CatalogueRead, 'encoding'> {
  let rows: string[][];
  try {
    rows = readCsv(text);
  } catch (err) {
    if (err instanceof TextFileError) throw new CatalogueFileError(err.code, err.message);
    throw err;
  }
  const header = (rows[0] ?? []).map((h) => h.trim());
  const index = new Map<ColumnKey, number>();
  for (const [k, label] of Object.entries(CATALOGUE_COLUMNS) as [ColumnKey, string][]) {
    const i = header.indexOf(label);
    if (i >= 0) index.set(k, i);
  }
  const missing = REQUIRED.filter((k) => !index.has(k)).map((k) => CATALOGUE_COLUMNS[k]);
  if (missing.length) {
    throw new CatalogueFileError('missing_column',
      `第 1 行应为列名，缺少：${missing.join('、')}（识别到的列：${header.filter(Boolean).slice(0, 20).join('、') || '无'}）。必需的列：${REQUIRED.map((k) => CATALOGUE_COLUMNS[k]).join('、')}；可选：期望状态码、断言、检测间隔。请检查文件是否为 UTF-8 或 GBK 编码的 CSV`);
  }
  const entries: CatalogueEntry[] = [];
  const problems: CatalogueProblem[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    if (cells.every((c) => !c.trim())) continue;
    const cell = (k: ColumnKey): string | undefined => (index.has(k) ? (cells[index.get(k)!] ?? '').trim() : undefined);
    const e = checkEntry(r + 1, {
      code: cell('code'), name: cell('name'), url: cell('url'), method: cell('method'), system: cell('system'), department: cell('department'),
      importance: cell('importance'), sensitive: cell('sensitive'), expectStatus: cell('expectStatus'), assertion: cell('assertion'), interval: cell('interval'),
    }, (k) => CATALOGUE_COLUMNS[k]);
    if (e.ok) entries.push(e.entry);
    else problems.push(...e.problems);
  }
  return { format: 'csv', rows: rows.length ? rows.length - 1 : 0, entries, problems, skipped: 0 };
}

// ---- one entry, whatever the format -----------------------------------------------------------------------------------

type Cells = Partial<Record<ColumnKey, unknown>>;
const intervalSchema = duration({ min: '5s', max: '1d' });
const statusRe = /^([1-5]xx|[1-5]\d\d(-[1-5]\d\d)?)$/i;

/** Checks one row's cells; every bad cell is reported (not only the first), each under its own column. */
export function checkEntry(row: number, cells: Cells, columnOf: (k: ColumnKey) => string): { ok: true; entry: CatalogueEntry } | { ok: false; problems: CatalogueProblem[] } {
  const problems: CatalogueProblem[] = [];
  const codeText = typeof cells.code === 'string' ? cells.code : cells.code === undefined ? '' : String(cells.code);
  const bad = (k: ColumnKey, code: string, message: string) => problems.push({ row, column: columnOf(k), code, message, ...(codeText ? { interfaceCode: codeText } : {}) });
  const text = (k: ColumnKey, max: number, required: boolean): string => {
    const v = cells[k];
    const s = v === undefined || v === null ? '' : String(v).trim();
    if (required && !s) bad(k, 'required', `${columnOf(k)}不能为空`);
    else if (s.length > max) bad(k, 'too_long', `${columnOf(k)}太长：至多 ${max} 个字符`);
    else if (/[\u0000-\u001f\u007f]/.test(s)) bad(k, 'bad_value', `${columnOf(k)}含控制字符：请删去换行、制表符等`);
    return s;
  };
  const code = text('code', 128, true);
  const name = text('name', 200, true);
  const system = text('system', 100, true);
  const department = text('department', 100, true);
  const urlText = text('url', 2000, true);
  let url = '';
  if (urlText) {
    try {
      const u = new URL(urlText);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      url = urlText;
    } catch {
      bad('url', 'bad_url', `接口地址应为完整的 http:// 或 https:// 地址，如 https://api.example.gov.cn/v1/query，实际是 "${urlText.slice(0, 80)}"`);
    }
  }
  const methodText = text('method', 10, false).toUpperCase() || 'GET';
  const method = (METHODS as readonly string[]).includes(methodText) ? (methodText as HttpMethod) : undefined;
  if (!method) bad('method', 'bad_method', `请求方式应为 ${METHODS.join('、')} 之一，实际是 "${methodText.slice(0, 20)}"`);
  const impText = text('importance', 20, false).toLowerCase();
  const importance = (Object.keys(IMPORTANCE) as Importance[]).find((k) => (IMPORTANCE[k] as readonly string[]).includes(impText));
  if (!importance) bad('importance', 'bad_value', `重要程度应为 核心、高、中、低 之一（或 critical、high、medium、low；留空为"中"），实际是 "${impText.slice(0, 20)}"`);
  const sensitive = yesNo(cells.sensitive);
  if (sensitive === undefined) bad('sensitive', 'bad_value', `是否涉敏应为 是 或 否（也可写 Y/N、true/false、1/0；留空为"否"），实际是 "${String(cells.sensitive).slice(0, 20)}"`);

  const entry: CatalogueEntry = {
    row, code, name, url, method: method ?? 'GET', system, department, importance: importance ?? 'medium', sensitive: !!sensitive,
    owns: { expectStatus: cells.expectStatus !== undefined, json: cells.assertion !== undefined, interval: cells.interval !== undefined },
  };
  if (cells.expectStatus !== undefined && cells.expectStatus !== '' && cells.expectStatus !== null) {
    const parts = Array.isArray(cells.expectStatus) ? cells.expectStatus.map(String) : String(cells.expectStatus).split(/[,，;；、\s]+/).filter(Boolean);
    const badOne = parts.find((p) => !statusRe.test(p));
    if (badOne !== undefined || !parts.length) bad('expectStatus', 'bad_status', `期望状态码应为 200、2xx 或 200-299 这样的写法（多个用逗号分隔），实际是 "${String(badOne ?? cells.expectStatus).slice(0, 40)}"`);
    else entry.expectStatus = parts.map((p) => (/^\d{3}$/.test(p) ? Number(p) : p.toLowerCase()));
  }
  if (cells.assertion !== undefined && cells.assertion !== '' && cells.assertion !== null) {
    const a = assertionOf(cells.assertion);
    if (!a.ok) bad('assertion', 'bad_assertion', a.message);
    else entry.json = a.value;
  }
  if (cells.interval !== undefined && cells.interval !== '' && cells.interval !== null) {
    const raw = String(cells.interval).trim();
    const textForm = /^\d+$/.test(raw) ? `${raw}s` : raw; // a bare number is seconds
    const r = intervalSchema.safeParse(textForm);
    if (!r.success) bad('interval', 'bad_interval', `检测间隔应为 30s、5m、1h 这样的时长（纯数字按秒计），在 5 秒到 1 天之间，实际是 "${raw.slice(0, 20)}"`);
    else entry.interval = textForm;
  }
  return problems.length ? { ok: false, problems } : { ok: true, entry };
}

function yesNo(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = v === undefined || v === null ? '' : String(v).trim().toLowerCase();
  if (['是', 'y', 'yes', 'true', '1', '涉敏'].includes(s)) return true;
  if (['否', 'n', 'no', 'false', '0', '', '不涉敏'].includes(s)) return false;
  return undefined;
}

/**
 * 断言: JSON of one assertion or a list ({"path":"$.code","equals":0}, as the file's spec.json), or the short form
 * `$.path` (must exist) / `$.path == value` (value as JSON, else text).
 */
function assertionOf(v: unknown): { ok: true; value: z.output<typeof jsonAssertionSchema>[] } | { ok: false; message: string } {
  let value: unknown = v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.startsWith('{') || s.startsWith('[')) {
      try {
        value = JSON.parse(s);
      } catch (err) {
        return { ok: false, message: `断言不是合法的 JSON：${(err as Error).message.slice(0, 80)}；示例：{"path":"$.code","equals":0} 或 $.code == 0` };
      }
    } else {
      const m = /^(\$\S*)\s*(?:==\s*(.+))?$/.exec(s);
      if (!m) return { ok: false, message: `断言应为 JSON 路径，如 $.code == 0、$.data（存在即可），或 JSON：{"path":"$.code","equals":0}；实际是 "${s.slice(0, 60)}"` };
      let eq: unknown;
      if (m[2] !== undefined) {
        try {
          eq = JSON.parse(m[2]);
        } catch {
          eq = m[2].trim();
        }
      }
      value = m[2] === undefined ? { path: m[1], exists: true } : { path: m[1], equals: eq };
    }
  }
  const list = z.array(jsonAssertionSchema).min(1).max(20).safeParse(Array.isArray(value) ? value : [value]);
  if (!list.success) {
    const i = list.error.issues[0];
    return { ok: false, message: `断言不对：${i.path.join('.') || '（整体）'}：${i.message}；每条断言需要 path（如 "$.code"），以及 equals、exists、matches 或 oneOf 之一` };
  }
  for (const a of list.data) {
    if (!a.path.startsWith('$')) return { ok: false, message: `断言的路径应以 $ 开头（JSONPath），如 $.code；实际是 "${a.path.slice(0, 40)}"` };
    if (a.matches !== undefined) {
      try {
        new RegExp(a.matches);
      } catch (err) {
        return { ok: false, message: `断言的 matches 不是合法的正则表达式：${(err as Error).message.slice(0, 80)}` };
      }
    }
  }
  return { ok: true, value: list.data };
}

// ---- OpenAPI 3 --------------------------------------------------------------------------------------------------------

const OPERATIONS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
const server = z.object({ url: z.string(), variables: z.record(z.string(), z.object({ default: z.string() }).passthrough()).optional() }).passthrough();
const parameter = z.object({ name: z.string(), in: z.string(), example: z.unknown().optional(), schema: z.object({ example: z.unknown().optional(), default: z.unknown().optional() }).passthrough().optional() }).passthrough();
const operation = z.object({
  operationId: z.string().optional(), summary: z.string().optional(), tags: z.array(z.string()).optional(),
  servers: z.array(server).optional(), parameters: z.array(parameter).optional(), responses: z.record(z.string(), z.unknown()).optional(),
}).passthrough();
const openApiDoc = z.object({
  openapi: z.string().regex(/^3\./, '应为 OpenAPI 3（openapi: 3.x）'),
  info: z.object({ title: z.string(), contact: z.object({ name: z.string().optional() }).passthrough().optional() }).passthrough(),
  servers: z.array(server).optional(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
}).passthrough();

/** One probe per operation: GET and HEAD ones, and others marked `x-probe: true` (a probe must not change data). */
export function readOpenApi(text: string): Omit<CatalogueRead, 'encoding'> {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith('{') ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
  } catch (err) {
    throw new CatalogueFileError('bad_document', `OpenAPI 文档无法解析：${(err as Error).message.split('\n')[0].slice(0, 200)}`);
  }
  const d = openApiDoc.safeParse(raw);
  if (!d.success) {
    const i = d.error.issues[0];
    throw new CatalogueFileError('bad_document', `不是可导入的 OpenAPI 3 文档：${i.path.join('.') || '（整体）'}：${i.message}`);
  }
  const doc = d.data;
  const info = doc.info as Record<string, unknown>;
  const entries: CatalogueEntry[] = [];
  const problems: CatalogueProblem[] = [];
  let n = 0;
  let skipped = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    const itemParams = z.array(parameter).safeParse(item.parameters ?? []);
    const itemServers = z.array(server).safeParse(item.servers ?? []);
    for (const m of OPERATIONS) {
      if (item[m] === undefined) continue;
      n++;
      const where = `paths.${path}.${m}`;
      const op = operation.safeParse(item[m]);
      if (!op.success) {
        problems.push({ row: n, column: where, code: 'bad_value', message: `操作格式不对：${op.error.issues[0].path.join('.')}：${op.error.issues[0].message}` });
        continue;
      }
      const o = op.data as z.output<typeof operation> & Record<string, unknown>;
      const probe = o['x-probe'];
      if (probe === false || (m !== 'get' && m !== 'head' && probe !== true)) {
        skipped++;
        continue;
      }
      const label = (k: ColumnKey): string =>
        ({ code: `${where}.operationId`, name: `${where}.summary`, url: `servers / ${where}`, method: where, system: `${where}.x-system`, department: `${where}.x-department`,
          importance: `${where}.x-importance`, sensitive: `${where}.x-sensitive`, expectStatus: `${where}.responses`, assertion: `${where}.x-assertion`, interval: `${where}.x-interval` })[k];
      const srv = o.servers?.[0] ?? (itemServers.success ? itemServers.data[0] : undefined) ?? doc.servers?.[0];
      let url: string | undefined;
      if (!srv) problems.push({ row: n, column: `servers`, code: 'bad_url', message: '没有 servers：请在文档（或操作）中写上接口的完整地址，如 servers: [{ url: https://api.example.gov.cn/v1 }]' });
      else {
        const base = srv.url.replace(/\{(\w+)\}/g, (_, v: string) => srv.variables?.[v]?.default ?? `{${v}}`).replace(/\/+$/, '');
        const params = [...(itemParams.success ? itemParams.data : []), ...(o.parameters ?? [])].filter((p) => p.in === 'path');
        const unresolved: string[] = [];
        const p = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const pp = params.find((x) => x.name === name);
          const ex = pp?.example ?? pp?.schema?.example ?? pp?.schema?.default;
          if (ex === undefined) unresolved.push(name);
          return encodeURIComponent(String(ex ?? ''));
        });
        if (unresolved.length) problems.push({ row: n, column: `${where}.parameters`, code: 'required', message: `路径参数 ${unresolved.join('、')} 没有 example：探测需要一个可调用的地址，请为参数写 example（或 schema.example）` });
        else url = base + p;
      }
      const ext = (k: string) => o[`x-${k}`] ?? info[`x-${k}`];
      const code = (o['x-interface-code'] as string | undefined) ?? o.operationId ?? `${m.toUpperCase()} ${path}`;
      const statuses = Object.keys(o.responses ?? {}).filter((s) => /^2(\d\d|xx)$/i.test(s)).map((s) => s.toLowerCase());
      const e = checkEntry(n, {
        code, name: o.summary ?? o.operationId ?? code, url: url ?? (srv ? undefined : ''), method: m.toUpperCase(),
        system: ext('system') ?? o.tags?.[0] ?? doc.info.title, department: ext('department') ?? doc.info.contact?.name,
        importance: ext('importance') ?? '', sensitive: ext('sensitive') ?? '',
        expectStatus: o['x-expect-status'] ?? (statuses.length ? statuses : ['2xx']),
        ...(ext('assertion') !== undefined ? { assertion: typeof ext('assertion') === 'string' ? ext('assertion') : JSON.stringify(ext('assertion')) } : {}),
        ...(ext('interval') !== undefined ? { interval: ext('interval') } : {}),
      }, label);
      if (url === undefined) {
        if (!e.ok) problems.push(...e.problems.filter((x) => x.column !== label('url')));
        continue;
      }
      if (e.ok) entries.push(e.entry);
      else problems.push(...e.problems);
    }
  }
  return { format: 'openapi', rows: n, entries, problems, skipped };
}
