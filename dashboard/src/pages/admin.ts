import type { AuditRow, LockoutRow, SessionRow, TokenRow, UserRow } from '../../../contract/auth';
import type { Role } from '../../../core/auth/roles';
import { api } from '../api';
import type { AuditQuery } from '../api/admin';
import { listTable } from '../list-table';
import { act, card, fmtJson, fmtTime, got, h, loaded, promptForm, table, toast } from '../ui';
import { hasKey, t as tr } from '../i18n';
import { fromChinaWallClock } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';
import { configExchangeCard } from './admin-config';

const ROLES = ['admin', 'ops', 'security', 'regulator', 'department'];
const roleName = (r: string | null | undefined) => {
  const k = `role.${r ?? ''}`;
  return !r ? '—' : hasKey(k) ? tr(k) : r;
};
const roleOptions = () => ROLES.map((r): [string, string] => [r, roleName(r)]);

/** Shows a new token once, with a copy button; it is not shown again anywhere. */
function showOnce(name: string, token: string) {
  const overlay = h('div.overlay', h('div.modal.token-once',
    h('h3', tr('admin.tokenCreated', { name })),
    h('p', tr('admin.tokenOnce')),
    h('code.token-value', token),
    h('div.actions',
      h('button.secondary', { type: 'button', onclick: () => navigator.clipboard?.writeText(token).then(() => toast(tr('admin.copied')), () => toast(tr('admin.copyFailed'), 'error')) }, tr('admin.copy')),
      h('button.close-token', { type: 'button', onclick: () => overlay.remove() }, tr('admin.saved')))));
  document.body.append(overlay);
}

/** `user:<name>` / `ip:<address>` as "账户 name" / "地址 address". */
const lockSubject = (key: string) => {
  const i = key.indexOf(':');
  return h('span', h('span.muted', tr(key.startsWith('ip:') ? 'admin.lockAddress' : 'admin.lockAccount')), ' ', h('code', key.slice(i + 1)));
};

/** 管理 (admin): users, login locks, sessions, API tokens, configuration export and import, the audit log with filters and CSV export. */
export async function renderAdmin(ctx: PageCtx): Promise<HTMLElement> {
  const [users, lockouts, sessions, tokens] = await Promise.all([got(api.admin.users()), got(api.admin.lockouts()), got(api.admin.sessions()), got(api.admin.tokens())]);

  const newUser = async () => {
    const v = await promptForm(tr('admin.newUser'), [
      { name: 'username', label: tr('admin.f.username') },
      { name: 'displayName', label: tr('admin.f.displayName') },
      { name: 'role', label: tr('admin.f.role'), value: 'ops', options: roleOptions() },
      { name: 'department', label: tr('admin.f.department') },
      { name: 'password', label: tr('admin.f.password'), type: 'password' },
    ]);
    if (!v) return;
    await act(() => api.admin.createUser({ username: v.username.trim(), password: v.password, role: v.role as Role, displayName: v.displayName || undefined, department: v.department.trim() || undefined }), tr('admin.userCreated', { name: v.username }), ctx);
  };
  const changeRole = async (u: UserRow) => {
    const v = await promptForm(tr('admin.roleTitle', { name: u.username }), [{ name: 'role', label: tr('admin.f.roleChange'), value: u.role, options: roleOptions() }]);
    if (v && v.role !== u.role) await act(() => api.admin.updateUser(u.id, { role: v.role as Role }), tr('admin.roleChanged'), ctx);
  };
  const resetPassword = async (u: UserRow) => {
    const v = await promptForm(tr('admin.passwordTitle', { name: u.username }), [{ name: 'password', label: tr('admin.f.newPassword'), type: 'password' }]);
    if (v) await act(() => api.admin.updateUser(u.id, { password: v.password }), tr('admin.passwordReset'), ctx);
  };
  const newToken = async () => {
    const v = await promptForm(tr('admin.newTokenTitle'), [
      { name: 'name', label: tr('admin.f.tokenName') },
      { name: 'role', label: tr('admin.f.role'), value: 'ops', options: roleOptions().filter(([r]) => r !== 'department') },
      { name: 'days', label: tr('admin.f.days'), type: 'number', value: '90' },
    ]);
    if (!v) return;
    try {
      const made = await api.admin.createToken({ name: v.name.trim(), role: v.role as Role, expiresInDays: Number(v.days) || undefined });
      showOnce(v.name, made.token);
      ctx.rerender();
    } catch (err) {
      toast(tr('common.actionFailed', { msg: (err as Error).message }), 'error');
    }
  };

  // The audit log's filters live in the form above the table; the table and the CSV link read them.
  const form = h('form.audit-filters', { onsubmit: (e: Event) => {
    e.preventDefault();
    void audit.reload();
  } },
  h('label', h('span', tr('admin.f.actor')), h('input', { name: 'actor', placeholder: tr('admin.f.actorHint') })),
  h('label', h('span', tr('admin.f.action')), h('input', { name: 'action', placeholder: tr('admin.f.actionHint') })),
  h('label', h('span', tr('admin.f.object')), h('input', { name: 'object', placeholder: tr('admin.f.objectHint') })),
  h('label', h('span', tr('admin.f.from')), h('input', { name: 'from', type: 'datetime-local' })),
  h('label', h('span', tr('admin.f.to')), h('input', { name: 'to', type: 'datetime-local' })),
  h('button.small.audit-apply', { type: 'submit' }, tr('admin.filter')),
  h('button.small.secondary.audit-csv', { type: 'button', onclick: () => { location.href = api.admin.auditCsvUrl(filters()); } }, tr('admin.exportCsv')));
  const filters = (): AuditQuery => {
    const val = (n: string) => (form.querySelector<HTMLInputElement>(`[name=${n}]`)?.value ?? '').trim();
    const time = (n: string) => {
      const t = fromChinaWallClock(val(n));
      return val(n) && Number.isFinite(t) ? new Date(t).toISOString() : undefined;
    };
    return { actor: val('actor') || undefined, action: val('action') || undefined, object: val('object') || undefined, from: time('from'), to: time('to') };
  };
  const audit = listTable<AuditRow>({
    cls: 'audit-list',
    pageSize: 50,
    load: (q) => api.admin.audit({ ...filters(), ...q }),
    search: tr('admin.auditSearch'),
    sort: '-ts',
    cols: [
      { title: tr('admin.col.time'), sort: 'ts', cell: (r) => fmtTime(r.ts, true) },
      { title: tr('admin.col.actor'), cell: (r) => r.actor },
      { title: tr('admin.col.role'), cell: (r) => roleName(r.role) },
      { title: tr('admin.col.action'), cell: (r) => r.action },
      { title: tr('admin.col.object'), cell: (r) => r.target ?? '—' },
      { title: 'IP', cell: (r) => r.ip ?? '—' },
      { title: tr('admin.col.details'), cell: (r) => h('span.wrap.details', Object.keys(r.details).length ? fmtJson(r.details) : '') },
    ],
    empty: tr('admin.noAudit'),
  });

  return h('div.page.admin',
    card(tr('admin.users'), h('button.small.new-user', { onclick: newUser }, tr('admin.newUser')), loaded(users, tr('admin.usersWhat'), ctx, (us) => table<UserRow>(us?.items ?? [], [
      [tr('admin.col.username'), (u) => u.username],
      [tr('admin.col.displayName'), (u) => u.displayName || '—'],
      [tr('admin.col.role'), (u) => roleName(u.role)],
      [tr('admin.col.department'), (u) => u.department ?? '—'],
      [tr('admin.col.state'), (u) => (u.disabled ? h('span.badge.s-down', tr('admin.disabled')) : h('span.badge.s-up', tr('admin.enabled')))],
      [tr('admin.col.totp'), (u) => (u.totp ? tr('admin.totpBound') : '—')],
      [tr('admin.col.created'), (u) => fmtTime(u.createdAt)],
      ['', (u) => h('span.row-actions', { 'data-user': u.username },
        h('button.small.secondary.user-role', { onclick: () => changeRole(u) }, tr('admin.changeRole')),
        h('button.small.secondary.user-password', { onclick: () => resetPassword(u) }, tr('admin.resetPassword')),
        u.disabled
          ? h('button.small.secondary.user-enable', { onclick: () => act(() => api.admin.updateUser(u.id, { disabled: false }), tr('admin.enabledDone'), ctx) }, tr('admin.enable'))
          : h('button.small.secondary.user-disable', { onclick: () => act(() => api.admin.updateUser(u.id, { disabled: true }), tr('admin.disabledDone'), ctx) }, tr('admin.disable')),
        h('button.small.secondary.user-logout', { onclick: () => act(() => api.admin.logoutUser(u.id), tr('admin.loggedOut'), ctx) }, tr('admin.logout')))],
    ], { empty: tr('admin.noUsers'), cls: 'users' }))),
    card(tr('admin.lockouts'), loaded(lockouts, tr('admin.lockoutsWhat'), ctx, (ls) => table<LockoutRow>(ls?.items ?? [], [
      [tr('admin.col.lockSubject'), (l) => lockSubject(l.key)],
      [tr('admin.col.lockedUntil'), (l) => (l.lockedUntil ? h('span.badge.s-down', fmtTime(l.lockedUntil, true)) : tr('admin.lockWaiting'))],
      [tr('admin.col.failures'), (l) => String(l.failures)],
      [tr('admin.col.locks'), (l) => String(l.locks)],
      [tr('admin.col.lastFailure'), (l) => fmtTime(l.lastFailure, true)],
      ['', (l) => h('button.small.secondary.lock-release', { 'data-key': l.key, onclick: () => act(() => api.admin.unlock(l.key), tr('admin.unlocked'), ctx) }, tr('admin.unlock'))],
    ], { empty: tr('admin.noLockouts'), cls: 'lockouts' }))),
    card(tr('admin.sessions'), loaded(sessions, tr('admin.sessionsWhat'), ctx, (ss) => table<SessionRow>(ss?.items ?? [], [
      [tr('admin.col.username'), (x) => x.username],
      [tr('admin.col.role'), (x) => roleName(x.role)],
      [tr('admin.col.created'), (x) => fmtTime(x.createdAt)],
      [tr('admin.col.lastSeen'), (x) => fmtTime(x.lastSeenAt)],
      [tr('admin.col.address'), (x) => x.ip ?? '—'],
      ['', (x) => h('button.small.secondary.session-end', { 'data-session': String(x.id), 'data-user': x.username, onclick: () => act(() => api.admin.endSession(x.id), tr('admin.sessionEnded'), ctx) }, tr('admin.endSession'))],
    ], { empty: tr('admin.noSessions'), cls: 'sessions' }))),
    card(tr('admin.tokens'), h('button.small.new-token', { onclick: newToken }, tr('admin.newToken')), loaded(tokens, tr('admin.tokensWhat'), ctx, (ts) => table<TokenRow>(ts?.items ?? [], [
      [tr('admin.col.name'), (t) => t.name],
      [tr('admin.col.prefix'), (t) => h('code', t.prefix)],
      [tr('admin.col.role'), (t) => roleName(t.role)],
      [tr('admin.col.createdBy'), (t) => t.createdBy],
      [tr('admin.col.created'), (t) => fmtTime(t.createdAt)],
      [tr('admin.col.lastUsed'), (t) => fmtTime(t.lastUsedAt)],
      [tr('admin.col.expires'), (t) => fmtTime(t.expiresAt)],
      ['', (t) => (t.revokedAt ? h('span.revoked', tr('admin.revoked', { at: fmtTime(t.revokedAt) })) : h('button.small.secondary.token-revoke', { 'data-token': t.name, onclick: async () => {
        const v = await promptForm(tr('admin.revokeTitle', { name: t.name }), [{ name: 'confirm', label: tr('admin.f.revokeConfirm'), value: '' }]);
        if (!v) return;
        if (v.confirm.trim() !== t.name) return toast(tr('admin.revokeMismatch'), 'error');
        await act(() => api.admin.revokeToken(t.id), tr('admin.revokedDone'), ctx);
      } }, tr('admin.revoke')))],
    ], { empty: tr('admin.noTokens'), cls: 'tokens' }))),
    ctx.can('config:admin') ? configExchangeCard() : null,
    card(tr('admin.audit'), form, audit));
}
