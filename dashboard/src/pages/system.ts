import { api } from '../api';
import { card, chart, failed, fmtBytes, fmtMs, fmtNum, fmtTime, h, table, timeAxisOption, toast } from '../ui';
import { t as tr } from '../i18n';
import type { PageCtx } from '../page-ctx';

/**
 * 数据库备份 (admin): the embedded database is copied by the running server (POST /api/system/backup) and saved by
 * the browser; a database server is backed up with pg_dump (ops/backup), which the card says instead.
 */
function backupCard(embedded: boolean): HTMLElement {
  if (!embedded) {
    return card(tr('system.backup'), h('p.muted.backup-note', tr('system.backupServer')));
  }
  const label = tr('system.backupDownload');
  const btn = h('button.small.backup', {
    onclick: async () => {
      btn.setAttribute('disabled', '');
      btn.textContent = tr('system.backupRunning');
      try {
        const { blob, filename } = await api.system.backup();
        const a = h('a', { href: URL.createObjectURL(blob), download: filename }) as HTMLAnchorElement;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
        toast(tr('system.backupDone', { file: filename, size: fmtBytes(blob.size) }));
      } catch (ex) {
        toast(tr('system.backupFailed', { msg: (ex as Error).message }), 'error');
      } finally {
        btn.removeAttribute('disabled');
        btn.textContent = label;
      }
    },
  }, label);
  return card(tr('system.backup'), btn, h('p.muted', tr('system.backupNote')));
}

/** 系统: collector lag, buffer, journal, write rate, database size and chunk status; the database backup (admin). */
export async function renderSystem(ctx: PageCtx): Promise<HTMLElement> {
  // A failed request is an error with 重试, not an empty page (the health check failing is itself a finding: 异常).
  let sysError: unknown = null;
  const [sys, health] = await Promise.all([api.collector.system().catch((err) => ((sysError = err), null)), api.health().catch(() => null)]);
  const live = sys?.live ?? null;
  const instances = sys?.instances ?? [];
  const recent = sys?.recent ?? [];
  const db = sys?.database;
  const latest = recent[recent.length - 1] ?? instances[0];
  const stat = (label: string, value: string, bad = false) => h('div.stat', { class: bad ? 's-down' : '' }, h('div.stat-num', value), h('div.stat-label', label));
  const t = (p: { ts: string }) => new Date(p.ts).getTime();
  const lastHour = { from: Date.now() - 3_600_000, to: Date.now() };
  const dbState = tr('system.dbState', { state: health?.db === 'up' ? tr('system.dbUp') : tr('system.dbDown'), backend: db?.backend === 'embedded' || health?.backend === 'embedded' ? tr('system.embedded') : tr('system.server') });
  return h('div.page.system',
    sysError ? failed(tr('system.what'), sysError, () => ctx.rerender()) : null,
    h('div.stats.small',
      stat(tr('system.db'), dbState, health?.db !== 'up' || live?.databaseDown),
      stat(tr('system.lag'), fmtMs(live?.lagMs.p99 ?? latest?.lagP99Ms)),
      stat(tr('system.buffer'), tr('system.rows', { n: fmtNum(live?.bufferDepth ?? latest?.bufferDepth) })),
      stat(tr('system.journal'), fmtBytes(live?.journalBytes ?? latest?.journalBytes), (live?.journalBytes ?? 0) > 0),
      stat(tr('system.writeRate'), tr('system.perSecond', { n: fmtNum(latest?.rowsPerS, 1) })),
      stat(tr('system.dbSize'), fmtBytes(db?.bytes))),
    h('div.grid2',
      card(tr('system.rateChart'), chart(timeAxisOption([
        { name: tr('system.writePerS'), data: recent.map((p) => [t(p), p.rowsPerS] as [number, number]), area: true },
        { name: tr('system.probePerS'), data: recent.map((p) => [t(p), p.probesPerS] as [number, number]) },
      ], { range: lastHour }), { height: 220, hasData: recent.length > 0, cls: 'writerate' })),
      card(tr('system.lagChart'), chart(timeAxisOption([
        { name: tr('system.lagP99'), data: recent.map((p) => [t(p), p.lagP99Ms] as [number, number | null]) },
        { name: tr('system.bufferRows'), data: recent.map((p) => [t(p), p.bufferDepth] as [number, number | null]), yAxisIndex: 1 },
      ], { y2Name: tr('system.rowsUnit'), range: lastHour }), { height: 220, hasData: recent.length > 0 }))),
    card(tr('system.hypertables'), table(db?.hypertables ?? [], [
      [tr('system.col.table'), (r) => r.name],
      [tr('system.col.chunks'), (r) => fmtNum(r.chunks)],
      [tr('system.col.compressed'), (r) => fmtNum(r.compressedChunks)],
      [tr('system.col.size'), (r) => fmtBytes(r.totalBytes)],
      [tr('system.col.oldest'), (r) => fmtTime(r.oldest)],
      [tr('system.col.newest'), (r) => fmtTime(r.newest)],
    ])),
    card(tr('system.instances'), table(instances, [
      [tr('system.col.instance'), (r) => r.instance],
      [tr('system.col.targets'), (r) => fmtNum(r.targets)],
      [tr('system.col.lag'), (r) => `${fmtMs(r.lagP50Ms)} / ${fmtMs(r.lagP99Ms)}`],
      [tr('system.col.rate'), (r) => fmtNum(r.rowsPerS, 1)],
      [tr('system.col.reported'), (r) => fmtTime(r.ts, true)],
    ], { empty: tr('system.noInstances') })),
    ctx.can('system:backup') && health ? backupCard(health.backend === 'embedded') : null);
}
