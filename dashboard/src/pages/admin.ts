import type { AuditRow, TokenRow, UserRow } from '../../../contract/auth';
import type { Role } from '../../../core/auth/roles';
import { api } from '../api';
import type { AuditQuery } from '../api/admin';
import { listTable } from '../list-table';
import { act, card, fmtJson, fmtTime, h, promptForm, table, toast } from '../ui';
import { fromChinaWallClock } from '../../../core/china-time';
import type { PageCtx } from '../page-ctx';

const ROLE_ZH: Record<string, string> = { admin: '管理员', ops: '运维', security: '安全', regulator: '监管科', department: '部门联络员' };
const ROLE_OPTIONS = Object.entries(ROLE_ZH) as [string, string][];

/** Shows a new token once, with a copy button; it is not shown again anywhere. */
function showOnce(name: string, token: string) {
  const overlay = h('div.overlay', h('div.modal.token-once',
    h('h3', `令牌“${name}”已创建`),
    h('p', '令牌只显示这一次，请立即复制并妥善保存；关闭后无法再次查看。'),
    h('code.token-value', token),
    h('div.actions',
      h('button.secondary', { type: 'button', onclick: () => navigator.clipboard?.writeText(token).then(() => toast('已复制'), () => toast('复制失败，请手动选择复制', 'error')) }, '复制'),
      h('button.close-token', { type: 'button', onclick: () => overlay.remove() }, '我已保存'))));
  document.body.append(overlay);
}

/** 管理 (admin): users, API tokens, the audit log with filters and CSV export. */
export async function renderAdmin(ctx: PageCtx): Promise<HTMLElement> {
  const [users, tokens] = await Promise.all([api.admin.users().catch(() => null), api.admin.tokens().catch(() => null)]);

  const newUser = async () => {
    const v = await promptForm('新建用户', [
      { name: 'username', label: '用户名（字母、数字、._-）' },
      { name: 'displayName', label: '姓名' },
      { name: 'role', label: '角色', value: 'ops', options: ROLE_OPTIONS },
      { name: 'department', label: '所属部门（部门联络员必填）' },
      { name: 'password', label: '初始密码（至少 12 位，请告知本人登录后修改）', type: 'password' },
    ]);
    if (!v) return;
    await act(() => api.admin.createUser({ username: v.username.trim(), password: v.password, role: v.role as Role, displayName: v.displayName || undefined, department: v.department.trim() || undefined }), `用户 ${v.username} 已创建`, ctx);
  };
  const changeRole = async (u: UserRow) => {
    const v = await promptForm(`修改 ${u.username} 的角色`, [{ name: 'role', label: '角色（修改后其会话全部结束）', value: u.role, options: ROLE_OPTIONS }]);
    if (v && v.role !== u.role) await act(() => api.admin.updateUser(u.id, { role: v.role as Role }), '角色已修改', ctx);
  };
  const resetPassword = async (u: UserRow) => {
    const v = await promptForm(`重置 ${u.username} 的密码`, [{ name: 'password', label: '新密码（至少 12 位；其会话全部结束）', type: 'password' }]);
    if (v) await act(() => api.admin.updateUser(u.id, { password: v.password }), '密码已重置', ctx);
  };
  const newToken = async () => {
    const v = await promptForm('新建 API 令牌', [
      { name: 'name', label: '名称（用途，如 省平台对接）' },
      { name: 'role', label: '角色', value: 'ops', options: ROLE_OPTIONS.filter(([r]) => r !== 'department') },
      { name: 'days', label: '有效期（天）', type: 'number', value: '90' },
    ]);
    if (!v) return;
    try {
      const made = await api.admin.createToken({ name: v.name.trim(), role: v.role as Role, expiresInDays: Number(v.days) || undefined });
      showOnce(v.name, made.token);
      ctx.rerender();
    } catch (err) {
      toast(`操作失败：${(err as Error).message}`, 'error');
    }
  };

  // The audit log's filters live in the form above the table; the table and the CSV link read them.
  const form = h('form.audit-filters', { onsubmit: (e: Event) => {
    e.preventDefault();
    void audit.reload();
  } },
  h('label', h('span', '操作人'), h('input', { name: 'actor', placeholder: '如 admin 或 token:名称' })),
  h('label', h('span', '动作'), h('input', { name: 'action', placeholder: '如 user.create 或 user.*' })),
  h('label', h('span', '对象'), h('input', { name: 'object', placeholder: '对象的一部分' })),
  h('label', h('span', '自（北京时间）'), h('input', { name: 'from', type: 'datetime-local' })),
  h('label', h('span', '至（北京时间）'), h('input', { name: 'to', type: 'datetime-local' })),
  h('button.small.audit-apply', { type: 'submit' }, '筛选'),
  h('button.small.secondary.audit-csv', { type: 'button', onclick: () => { location.href = api.admin.auditCsvUrl(filters()); } }, '导出 CSV'));
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
    search: '搜索操作人、动作、对象、详情',
    sort: '-ts',
    cols: [
      { title: '时间', sort: 'ts', cell: (r) => fmtTime(r.ts, true) },
      { title: '操作人', cell: (r) => r.actor },
      { title: '角色', cell: (r) => ROLE_ZH[r.role ?? ''] ?? r.role ?? '—' },
      { title: '动作', cell: (r) => r.action },
      { title: '对象', cell: (r) => r.target ?? '—' },
      { title: 'IP', cell: (r) => r.ip ?? '—' },
      { title: '详情', cell: (r) => h('span.wrap.details', Object.keys(r.details).length ? fmtJson(r.details) : '') },
    ],
    empty: '没有匹配的审计记录',
  });

  return h('div.page.admin',
    card('用户', h('button.small.new-user', { onclick: newUser }, '新建用户'), table<UserRow>(users?.items ?? [], [
      ['用户名', (u) => u.username],
      ['姓名', (u) => u.displayName || '—'],
      ['角色', (u) => ROLE_ZH[u.role] ?? u.role],
      ['部门', (u) => u.department ?? '—'],
      ['状态', (u) => (u.disabled ? h('span.badge.s-down', '已停用') : h('span.badge.s-up', '启用'))],
      ['双因素', (u) => (u.totp ? '已绑定' : '—')],
      ['创建', (u) => fmtTime(u.createdAt)],
      ['', (u) => h('span.row-actions', { 'data-user': u.username },
        h('button.small.secondary.user-role', { onclick: () => changeRole(u) }, '改角色'),
        h('button.small.secondary.user-password', { onclick: () => resetPassword(u) }, '重置密码'),
        u.disabled
          ? h('button.small.secondary.user-enable', { onclick: () => act(() => api.admin.updateUser(u.id, { disabled: false }), '已启用', ctx) }, '启用')
          : h('button.small.secondary.user-disable', { onclick: () => act(() => api.admin.updateUser(u.id, { disabled: true }), '已停用，会话已结束', ctx) }, '停用'),
        h('button.small.secondary.user-logout', { onclick: () => act(() => api.admin.logoutUser(u.id), '已强制下线', ctx) }, '强制下线'))],
    ], { empty: '暂无用户', cls: 'users' })),
    card('API 令牌', h('button.small.new-token', { onclick: newToken }, '新建令牌'), table<TokenRow>(tokens?.items ?? [], [
      ['名称', (t) => t.name],
      ['前缀', (t) => h('code', t.prefix)],
      ['角色', (t) => ROLE_ZH[t.role] ?? t.role],
      ['创建人', (t) => t.createdBy],
      ['创建', (t) => fmtTime(t.createdAt)],
      ['最近使用', (t) => fmtTime(t.lastUsedAt)],
      ['到期', (t) => fmtTime(t.expiresAt)],
      ['', (t) => (t.revokedAt ? h('span.revoked', `已吊销 ${fmtTime(t.revokedAt)}`) : h('button.small.secondary.token-revoke', { 'data-token': t.name, onclick: async () => {
        const v = await promptForm(`吊销令牌“${t.name}”`, [{ name: 'confirm', label: '吊销后使用此令牌的系统立即无法访问。输入令牌名称确认', value: '' }]);
        if (!v) return;
        if (v.confirm.trim() !== t.name) return toast('名称不一致，未吊销', 'error');
        await act(() => api.admin.revokeToken(t.id), '令牌已吊销', ctx);
      } }, '吊销'))],
    ], { empty: '暂无令牌', cls: 'tokens' })),
    card('审计日志', form, audit));
}
