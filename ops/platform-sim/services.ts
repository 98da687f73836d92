import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The simulated city platform's HTTP services: what each module answers when healthy, and how a fault changes it.
 * Every body is built per request so the portal carries fresh timestamps, nonces and tokens like the real one.
 */
export const httpServices = ['exchange', 'population', 'legal', 'license', 'gov', 'approval', 'app', 'portal'] as const;
export type HttpServiceName = (typeof httpServices)[number];

export const serviceTitles: Record<string, string> = {
  exchange: '共享交换平台',
  population: '人口库',
  legal: '法人库',
  license: '电子证照库',
  gov: '政务服务平台',
  approval: '并联审批',
  app: '市民App后端',
  portal: '政府门户网站',
  video: '视频会议信令',
  'https-valid': 'HTTPS(有效证书)',
  'https-expiring': 'HTTPS(证书10天后过期)',
  'https-selfsigned': 'HTTPS(自签名证书)',
  dns: '城市DNS解析',
};

/** The service a path belongs to on the shared server. */
export function serviceOfPath(path: string): HttpServiceName | undefined {
  if (path.startsWith('/gov/approval/')) return 'approval';
  for (const s of httpServices) if (path.startsWith(`/${s}/`)) return s;
  if (path === '/' || path === '/portal') return 'portal';
  return undefined;
}

/** Page variants: `tampered` injects defacement text, `degraded` makes JSON services report a bad status. */
export interface Variant {
  tampered: boolean;
  degraded: boolean;
}

let visitors = 1_208_331;

const pad = (n: number) => String(n).padStart(2, '0');
function localTime(t = new Date()): string {
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

export function portalPage(v: Variant): string {
  const nonce = randomBytes(12).toString('base64');
  const csrf = randomBytes(16).toString('hex');
  visitors += 1 + Math.floor(Math.random() * 5);
  const headline = v.tampered
    ? '<h1 style="color:red">Hacked by 黑客联盟 —— 本站已被入侵</h1>\n      <p>ＨＡＣＫＥＤ 请联系 QQ 123456 购买博彩推广</p>'
    : '<h2>政务要闻</h2>';
  return `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <meta name="csrf-token" content="${csrf}">
    <title>某市人民政府门户网站</title>
    <script nonce="${nonce}">window.__RENDER_TIME__ = ${Date.now()};</script>
  </head>
  <body>
    <header><h1>某市人民政府</h1><nav><a href="/portal/index.html">首页</a> <a href="/portal/open.html">政务公开</a> <a href="/portal/service.html">办事服务</a></nav></header>
    <div class="update-time">更新时间：${localTime()}</div>
    <main>
      ${headline}
      <ul class="news">
        <li>市大数据局召开政务数据共享工作推进会</li>
        <li>“一网通办”新增 126 个高频事项</li>
        <li>关于开展 2026 年度互联网+监管数据质量核查的通知</li>
      </ul>
      <form action="/portal/search" method="get"><input type="hidden" name="_csrf" value="${csrf}"><input name="q" placeholder="搜索"></form>
    </main>
    <footer>主办：某市人民政府办公室 承办：某市大数据管理局 <span id="visitor-count">访问量：${visitors}</span></footer>
  </body>
</html>
`;
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function health(res: ServerResponse, service: string, v: Variant, extra: Record<string, unknown> = {}) {
  json(res, 200, { status: v.degraded ? 'degraded' : 'ok', service: serviceTitles[service], time: new Date().toISOString(), ...extra });
}

const SIM_TOKEN = 'sim-token-2026';
const SIM_BASIC = `Basic ${Buffer.from('sim:sim-pass').toString('base64')}`;

/** Answers one request for a service (faults that delay, fail or drop the request are handled by the caller). */
export function answer(service: HttpServiceName, req: IncomingMessage, res: ServerResponse, v: Variant): void {
  const url = new URL(req.url ?? '/', 'http://sim');
  const path = url.pathname;
  switch (service) {
    case 'portal':
      if (path === '/' || path === '/portal' || path === '/portal/') {
        res.writeHead(302, { location: '/portal/index.html', 'content-length': 0 });
        return void res.end();
      }
      if (path === '/portal/index.html') {
        const page = portalPage(v);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        return void res.end(page);
      }
      if (path === '/portal/loop') {
        res.writeHead(302, { location: '/portal/loop', 'content-length': 0 });
        return void res.end();
      }
      break;
    case 'exchange':
      if (path === '/exchange/api/v1/status') return health(res, service, v, { queueDepth: v.degraded ? 9120 : 12, nodes: { online: v.degraded ? 3 : 8, total: 8 } });
      if (path === '/exchange/api/v1/datasets') {
        return json(res, 200, {
          status: v.degraded ? 'degraded' : 'ok',
          total: 3,
          items: [
            { id: 'DS-0001', name: '企业登记信息', provider: '市市场监管局', records: 412_330 },
            { id: 'DS-0002', name: '户籍人口信息', provider: '市公安局', records: 3_120_004 },
            { id: 'DS-0003', name: '不动产登记信息', provider: '市自然资源局', records: 880_412 },
          ],
        });
      }
      if (path === '/exchange/api/v1/secure') {
        const auth = req.headers.authorization;
        if (auth === `Bearer ${SIM_TOKEN}` || auth === SIM_BASIC) return health(res, service, v, { authenticated: true });
        return json(res, 401, { status: 'error', message: '未认证' });
      }
      if (path === '/exchange/api/v1/echo' && req.method === 'POST') {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => json(res, 200, { status: 'ok', method: req.method, contentType: req.headers['content-type'] ?? null, body }));
        return;
      }
      break;
    case 'population':
    case 'legal':
    case 'license':
      if (path === `/${service}/api/v1/health`) return health(res, service, v);
      if (path === `/${service}/api/v1/query`) {
        // Queries answer with masked data only: the simulator must not teach anyone to log real ID numbers.
        return json(res, 200, { status: v.degraded ? 'degraded' : 'ok', code: v.degraded ? 'E503' : '0000', data: { matched: true, name: '张*', idNo: '3301**********1234' } });
      }
      break;
    case 'gov':
      if (path === '/gov/api/health') return health(res, service, v, { onlineServices: 1843 });
      break;
    case 'approval':
      if (path === '/gov/approval/health') return health(res, service, v, { pending: 37 });
      break;
    case 'app':
      if (path === '/app/api/health') return health(res, service, v, { version: '5.2.1' });
      break;
  }
  json(res, 404, { status: 'error', message: `未知路径 ${path}` });
}
