import { test } from 'uvu';
import * as assert from 'uvu/assert';
import YAML from 'yaml';
import { CatalogueFileError, readCatalogue } from './read';
import { moduleIdOf, targetIdOf, targetOf } from './plan';
import { toGbk } from '../../test/helpers/gbk';

const HEADER = '接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏,期望状态码,断言,检测间隔';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\r\n') + '\r\n';
const good = [
  'JK-0001,人口基本信息查询,https://api.city.gov.cn/rk/query,GET,人口库,市公安局,高,是,200,$.code == 0,1m',
  'JK-0002,"法人信息查询,按统一代码",https://api.city.gov.cn/fr/query,post,法人库,市市场监管局,核心,否,"200,201","{""path"":""$.data"",""exists"":true}",',
];

test('UTF-8 without BOM: every column read, the short and the JSON assertion, a quoted comma', () => {
  const r = readCatalogue(Buffer.from(csv(...good)));
  assert.is(r.format, 'csv');
  assert.is(r.encoding, 'utf-8');
  assert.equal(r.problems, []);
  assert.is(r.rows, 2);
  const [a, b] = r.entries;
  assert.equal({ row: a.row, code: a.code, method: a.method, importance: a.importance, sensitive: a.sensitive, expectStatus: a.expectStatus, json: a.json, interval: a.interval },
    { row: 2, code: 'JK-0001', method: 'GET', importance: 'high', sensitive: true, expectStatus: [200], json: [{ path: '$.code', equals: 0 }], interval: '1m' });
  assert.is(b.name, '法人信息查询,按统一代码');
  assert.is(b.method, 'POST');
  assert.is(b.importance, 'critical');
  assert.equal(b.expectStatus, [200, 201]);
  assert.equal(b.json, [{ path: '$.data', exists: true }]);
  assert.is(b.interval, undefined);
  assert.equal(b.owns, { expectStatus: true, json: true, interval: true });
});

test('UTF-8 with BOM and GBK read the same', () => {
  const plain = readCatalogue(Buffer.from(csv(...good)));
  const bom = readCatalogue(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv(...good))]));
  const gbk = readCatalogue(toGbk(csv(...good)));
  assert.is(gbk.encoding, 'gb18030');
  assert.equal(bom.entries, plain.entries);
  assert.equal(gbk.entries, plain.entries);
  assert.is(gbk.entries[0].department, '市公安局');
});

test('a bad row names its row and column (Chinese message and a code); the other rows are read', () => {
  const r = readCatalogue(Buffer.from(csv(
    good[0],
    'JK-0003,坏地址,ftp://x,GET,人口库,市公安局,高,是,,,',
    'JK-0004,,https://a.gov.cn/x,FETCH,人口库,市公安局,很高,也许,99,$.a ==,3s',
    good[1],
  )));
  assert.equal(r.entries.map((e) => e.code), ['JK-0001', 'JK-0002']);
  const at = r.problems.map((p) => `${p.row}:${p.column}:${p.code}`);
  assert.equal(at, ['3:接口地址:bad_url', '4:接口名称:required', '4:请求方式:bad_method', '4:重要程度:bad_value', '4:是否涉敏:bad_value', '4:期望状态码:bad_status', '4:断言:bad_assertion', '4:检测间隔:bad_interval']);
  assert.match(r.problems[0].message, /http:\/\/ 或 https:\/\//);
  assert.is(r.problems[0].interfaceCode, 'JK-0003');
});

test('a bad assertion: JSON that does not parse, an assertion without path, a bad regular expression', () => {
  const r = readCatalogue(Buffer.from(csv(
    'A1,x,https://a.gov.cn/1,GET,s,d,中,否,,"{""path"":",',
    'A2,x,https://a.gov.cn/2,GET,s,d,中,否,,"{""equals"":1}",',
    'A3,x,https://a.gov.cn/3,GET,s,d,中,否,,"{""path"":""$.a"",""matches"":""(""}",',
  )));
  assert.equal(r.problems.map((p) => `${p.row}:${p.column}:${p.code}`), ['2:断言:bad_assertion', '3:断言:bad_assertion', '4:断言:bad_assertion']);
  assert.match(r.problems[0].message, /不是合法的 JSON/);
  assert.match(r.problems[2].message, /正则/);
});

test('a missing required column is an error of the file, naming what is missing and what was found', () => {
  try {
    readCatalogue(Buffer.from('接口编码,接口名称\nA,B\n'));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CatalogueFileError);
    assert.is((err as CatalogueFileError).code, 'missing_column');
    assert.match((err as Error).message, /缺少：接口地址、请求方式、所属系统、提供部门、重要程度、是否涉敏/);
    assert.match((err as Error).message, /识别到的列：接口编码、接口名称/);
  }
});

test('optional columns absent: the catalogue does not own those fields', () => {
  const r = readCatalogue(Buffer.from('接口编码,接口名称,接口地址,请求方式,所属系统,提供部门,重要程度,是否涉敏\nB1,名,https://b.gov.cn/,,系统,部门,,\n'));
  assert.equal(r.problems, []);
  const e = r.entries[0];
  assert.equal(e.owns, { expectStatus: false, json: false, interval: false });
  assert.is(e.method, 'GET');
  assert.is(e.importance, 'medium');
  assert.is(e.sensitive, false);
  // An operator's own fields survive: enabled, headers, timeout, other tags; the catalogue's are set.
  const before = { id: 'b1', module: 'old', name: '旧名', type: 'http', enabled: false, timeout: '3s', tags: { team: 'ops', sensitive: 'true' }, spec: { url: 'https://old/', headers: { x: 'y' }, expectStatus: [204] } };
  const t = targetOf(e, 'b1', 'sys', before);
  assert.equal(t, { id: 'b1', module: 'sys', name: '名', type: 'http', enabled: false, timeout: '3s',
    tags: { team: 'ops', catalogue: 'B1', system: '系统', department: '部门', importance: 'medium' }, spec: { headers: { x: 'y' }, expectStatus: [204], url: 'https://b.gov.cn/' } });
});

test('ids: a code that is a valid id in lower case is the id; others get a readable part and a stable hash', () => {
  assert.is(targetIdOf('JK-0001'), 'jk-0001');
  assert.match(targetIdOf('人口/查询 01'), /^01-[0-9a-f]{10}$|^if-[0-9a-f]{10}$|^[a-z0-9]/);
  assert.is(targetIdOf('人口/查询 01'), targetIdOf('人口/查询 01'));
  assert.not.equal(targetIdOf('人口 01'), targetIdOf('法人 01'));
  assert.ok(/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(targetIdOf('X'.repeat(120))));
  assert.match(moduleIdOf('人口库'), /^sys-[0-9a-f]{10}$/);
  assert.is(moduleIdOf('portal'), 'portal');
});

const openapi = {
  openapi: '3.0.3',
  info: { title: '共享交换平台', contact: { name: '市大数据局' }, 'x-importance': '高' },
  servers: [{ url: 'https://{host}/v1', variables: { host: { default: 'api.city.gov.cn' } } }],
  paths: {
    '/people/{id}': {
      parameters: [{ name: 'id', in: 'path', example: 'P001' }],
      get: { operationId: 'getPerson', summary: '查询人口', tags: ['人口库'], 'x-sensitive': true, 'x-assertion': { path: '$.code', equals: 0 }, responses: { '200': {}, '404': {} } },
      delete: { operationId: 'deletePerson', responses: { '204': {} } },
    },
    '/health': { get: { summary: '健康检查', 'x-department': '运维组', 'x-interval': '30s', responses: { default: {} } } },
    '/orders': { post: { operationId: 'probeOrders', 'x-probe': true, responses: { '201': {} } } },
    '/items/{id}': { get: { operationId: 'getItem', responses: { '200': {} } } },
  },
};

test('OpenAPI 3 (JSON and YAML): one entry per GET operation and per x-probe one; a path parameter needs an example', () => {
  for (const bytes of [Buffer.from(JSON.stringify(openapi)), Buffer.from(YAML.stringify(openapi))]) {
    const r = readCatalogue(bytes);
    assert.is(r.format, 'openapi');
    assert.is(r.rows, 5);
    assert.is(r.skipped, 1); // DELETE without x-probe
    assert.equal(r.entries.map((e) => [e.code, e.url, e.method, e.system, e.department]), [
      ['getPerson', 'https://api.city.gov.cn/v1/people/P001', 'GET', '人口库', '市大数据局'],
      ['GET /health', 'https://api.city.gov.cn/v1/health', 'GET', '共享交换平台', '运维组'],
      ['probeOrders', 'https://api.city.gov.cn/v1/orders', 'POST', '共享交换平台', '市大数据局'],
    ]);
    const p = r.entries[0];
    assert.is(p.sensitive, true);
    assert.is(p.importance, 'high');
    assert.equal(p.expectStatus, [200]);
    assert.equal(p.json, [{ path: '$.code', equals: 0 }]);
    assert.equal(r.entries[1].expectStatus, ['2xx']);
    assert.is(r.entries[1].interval, '30s');
    assert.equal(r.problems.map((x) => `${x.row}:${x.column}:${x.code}`), ['5:paths./items/{id}.get.parameters:required']);
    assert.match(r.problems[0].message, /example/);
  }
});

test('a document that is not OpenAPI 3 is refused with where and why', () => {
  try {
    readCatalogue(Buffer.from(JSON.stringify({ swagger: '2.0', paths: {} })));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, CatalogueFileError);
    assert.match((err as Error).message, /openapi/);
  }
});

test.run();
