import { api } from '../api';
import { card, chart, fmtBytes, fmtMs, fmtNum, fmtTime, h, table, timeAxisOption, toast } from '../ui';
import type { PageCtx } from '../page-ctx';

/**
 * 数据库备份 (admin): the embedded database is copied by the running server (POST /api/system/backup) and saved by
 * the browser; a database server is backed up with pg_dump (ops/backup), which the card says instead.
 */
function backupCard(embedded: boolean): HTMLElement {
  if (!embedded) {
    return card('数据库备份', h('p.muted.backup-note', '数据库为 PostgreSQL 服务器：请在服务器上用 ops/backup（pg_dump）备份，见 docs/ops.md。'));
  }
  const label = '下载数据库备份';
  const btn = h('button.small.backup', {
    onclick: async () => {
      btn.setAttribute('disabled', '');
      btn.textContent = '正在备份…';
      try {
        const { blob, filename } = await api.system.backup();
        const a = h('a', { href: URL.createObjectURL(blob), download: filename }) as HTMLAnchorElement;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
        toast(`备份已下载：${filename}（${fmtBytes(blob.size)}）`);
      } catch (ex) {
        toast(`备份失败：${(ex as Error).message}`, 'error');
      } finally {
        btn.removeAttribute('disabled');
        btn.textContent = label;
      }
    },
  }, label);
  return card('数据库备份', btn,
    h('p.muted', '在线备份内嵌数据库，监测不停：下载数据目录的一致副本（.tar.gz），用 ops/restore 恢复到空目录（见 docs/ops.md）。'));
}

/** 系统: collector lag, buffer, journal, write rate, database size and chunk status; the database backup (admin). */
export async function renderSystem(ctx: PageCtx): Promise<HTMLElement> {
  const [sys, health] = await Promise.all([api.collector.system().catch(() => null), api.health().catch(() => null)]);
  const live = sys?.live ?? null;
  const instances = sys?.instances ?? [];
  const recent = sys?.recent ?? [];
  const db = sys?.database;
  const latest = recent[recent.length - 1] ?? instances[0];
  const stat = (label: string, value: string, bad = false) => h('div.stat', { class: bad ? 's-down' : '' }, h('div.stat-num', value), h('div.stat-label', label));
  const t = (p: { ts: string }) => new Date(p.ts).getTime();
  const lastHour = { from: Date.now() - 3_600_000, to: Date.now() };
  return h('div.page.system',
    h('div.stats.small',
      stat('数据库', `${health?.db === 'up' ? '正常' : '异常'}（${db?.backend === 'embedded' || health?.backend === 'embedded' ? '内嵌' : '服务器'}）`, health?.db !== 'up' || live?.databaseDown),
      stat('调度延迟 P99', fmtMs(live?.lagMs.p99 ?? latest?.lagP99Ms)),
      stat('写入缓冲', `${fmtNum(live?.bufferDepth ?? latest?.bufferDepth)} 条`),
      stat('本地日志（journal）', fmtBytes(live?.journalBytes ?? latest?.journalBytes), (live?.journalBytes ?? 0) > 0),
      stat('写入速率', `${fmtNum(latest?.rowsPerS, 1)} 行/秒`),
      stat('数据库大小', fmtBytes(db?.bytes))),
    h('div.grid2',
      card('写入速率与探测速率（近1小时）', chart(timeAxisOption([
        { name: '写入 行/秒', data: recent.map((p) => [t(p), p.rowsPerS] as [number, number]), area: true },
        { name: '探测 次/秒', data: recent.map((p) => [t(p), p.probesPerS] as [number, number]) },
      ], { range: lastHour }), { height: 220, hasData: recent.length > 0, cls: 'writerate' })),
      card('调度延迟与缓冲（近1小时）', chart(timeAxisOption([
        { name: '延迟 P99 (ms)', data: recent.map((p) => [t(p), p.lagP99Ms] as [number, number | null]) },
        { name: '缓冲 (条)', data: recent.map((p) => [t(p), p.bufferDepth] as [number, number | null]), yAxisIndex: 1 },
      ], { y2Name: '条', range: lastHour }), { height: 220, hasData: recent.length > 0 }))),
    card('超表与分块', table(db?.hypertables ?? [], [
      ['表', (r) => r.name],
      ['分块数', (r) => fmtNum(r.chunks)],
      ['已压缩', (r) => fmtNum(r.compressedChunks)],
      ['总大小', (r) => fmtBytes(r.totalBytes)],
      ['最早', (r) => fmtTime(r.oldest)],
      ['最新', (r) => fmtTime(r.newest)],
    ])),
    card('采集实例', table(instances, [
      ['实例', (r) => r.instance],
      ['目标数', (r) => fmtNum(r.targets)],
      ['延迟 P50/P99', (r) => `${fmtMs(r.lagP50Ms)} / ${fmtMs(r.lagP99Ms)}`],
      ['写入 行/秒', (r) => fmtNum(r.rowsPerS, 1)],
      ['上报时间', (r) => fmtTime(r.ts, true)],
    ], { empty: '近1小时没有采集实例上报' })),
    ctx.can('system:backup') && health ? backupCard(health.backend === 'embedded') : null);
}
