import { Hono } from 'hono';
import { auditFrom, httpError, readJson, requirePermission, type AppEnv } from '../../core/http';
import type { DnsBaselineApproved, DnsBaselineEntry, DnsBaselineView } from '../../contract/collector';
import { approveDnsBaseline, currentDnsAnswers, dnsBaseline, dnsBaselineHistory, type DnsBaseline } from '../store/dns-baselines';
import { instant, type RouteDeps } from './deps';

/** Only the security team (and admin) may change what a DNS name must answer: it is what a hijack would change. */
const DNS_APPROVERS = new Set(['security', 'admin']);
const norm = (xs: string[]) => [...new Set(xs.map((x) => x.trim().toLowerCase().replace(/\.$/, '')))].sort();
const entry = (b: DnsBaseline): DnsBaselineEntry => ({ answers: b.answers, recordType: b.recordType, approvedBy: b.approvedBy, approvedAt: instant(b.approvedAt), reason: b.reason, firstSeen: b.firstSeen });

/**
 * DNS baselines (no pinned `expect`): GET shows the approved answer set, the newest answers and the history; POST
 * approve makes the newest answers (or a given set) the baseline, with a reason, audited. The probe compares against
 * it from its next run: until then every other answer is dns_changed.
 */
export function dnsBaselineRoutes(d: RouteDeps) {
  const r = new Hono<AppEnv>();
  const dnsTarget = (id: string) => d.config().targets.find((t) => t.id === id && t.type === 'dns');
  const notDns = (c: Parameters<typeof httpError>[0], id: string) => httpError(c, 404, 'no_dns_target', `${id} 不是 DNS 解析 (dns) 类型的监测对象`);

  r.get('/targets/:id/dns-baseline', requirePermission('read'), async (c) => {
    const id = c.req.param('id');
    const t = dnsTarget(id);
    if (!t) return notDns(c, id);
    const spec = t.spec as { recordType?: string; expect?: string[] };
    const [a, cur, history] = await Promise.all([dnsBaseline(d.db, id), currentDnsAnswers(d.db, id), dnsBaselineHistory(d.db, id)]);
    const reference = spec.expect ?? a?.answers;
    const body: DnsBaselineView = {
      target: id,
      recordType: spec.recordType ?? 'A',
      pinned: spec.expect ?? null,
      approved: a ? entry(a) : null,
      current: cur ? { ts: instant(cur.ts), answers: cur.answers, matches: reference ? JSON.stringify(norm(reference)) === JSON.stringify(norm(cur.answers)) : null } : null,
      history: history.map((h) => ({ ...entry(h), previous: h.previous })),
    };
    return c.json(body);
  });

  r.post('/targets/:id/dns-baseline/approve', requirePermission('baseline:approve'), async (c) => {
    const id = c.req.param('id');
    const t = dnsTarget(id);
    if (!t) return notDns(c, id);
    const p = c.get('principal');
    if (!p || !DNS_APPROVERS.has(p.role)) return httpError(c, 403, 'forbidden', `角色 ${p?.role ?? '(无)'} 无权确认 DNS 基线：仅安全人员或管理员可确认 (security or admin only)`);
    const spec = t.spec as { recordType?: string; expect?: string[] };
    if (spec.expect) return httpError(c, 409, 'pinned', `${id} 配置了固定的 expect 解析结果，由配置决定，无需确认基线；请修改配置中的 spec.expect`);
    const parsed = await readJson<{ reason?: unknown; answers?: unknown }>(c);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value ?? {};
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (reason.length < 2) return httpError(c, 400, 'reason_required', '确认 DNS 基线需要填写原因 reason（例如：更换 CDN，变更单 2026-123）');
    if (reason.length > 500) return httpError(c, 400, 'reason_too_long', 'reason 最多 500 个字符');
    let answers: string[];
    if (body.answers !== undefined) {
      if (!Array.isArray(body.answers) || body.answers.length === 0 || body.answers.length > 64 || !body.answers.every((x) => typeof x === 'string' && x.trim() !== '' && x.length <= 255)) {
        return httpError(c, 400, 'bad_answers', 'answers 应为 1 至 64 个非空字符串（IP 地址或域名），省略时确认最近一次解析结果');
      }
      answers = norm(body.answers as string[]);
    } else {
      const cur = await currentDnsAnswers(d.db, id);
      if (!cur) return httpError(c, 409, 'no_answers', '尚无解析结果可确认；等下一次探测或在请求体中给出 {"answers": [...]}');
      answers = norm(cur.answers);
    }
    const change = await d.db.tx((q) => approveDnsBaseline(q, { targetId: id, recordType: spec.recordType ?? 'A', answers, approvedBy: p.name, at: d.clock(), reason }));
    await auditFrom(c, d.auth, { action: 'collector.dns_baseline.approve', target: id, details: { answers, previous: change.previous, reason } });
    const answer: DnsBaselineApproved = { target: id, answers, previous: change.previous, approvedBy: p.name, reason };
    return c.json(answer);
  });
  return r;
}
