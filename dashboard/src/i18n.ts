/**
 * The dashboard's one catalogue of UI strings (zh-CN, the default, and English for the technical staff who prefer
 * it). Pages call t('key', { var }) and never write a user-visible string themselves; test/dashboard-i18n.test.ts
 * fails on a page module with a Chinese string literal outside this file (the pages not converted yet are listed
 * there). The language is chosen in the header (语言 / Language) and kept in localStorage ('lang').
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: [Lang, string][] = [['zh-CN', '中文'], ['en', 'English']];

const zh = {
  // shell
  'app.title': '运行监测',
  'app.loading': '正在加载…',
  'nav.menu': '菜单',
  'nav.overview': '总览', 'nav.target': '目标详情', 'nav.alerts': '告警', 'nav.notices': '通报', 'nav.reporting': '数据直报',
  'nav.rum': '前端体验', 'nav.calls': '接口调用', 'nav.config': '配置', 'nav.system': '系统', 'nav.admin': '管理',
  'range.title': '时间范围', 'range.1h': '近1小时', 'range.6h': '近6小时', 'range.24h': '近24小时', 'range.7d': '近7天', 'range.30d': '近30天',
  'hdr.auto': '自动刷新', 'hdr.autoTitle': '每 {s} 秒刷新', 'hdr.refresh': '刷新', 'hdr.logout': '退出',
  'hdr.live': '实时', 'hdr.poll': '轮询', 'hdr.liveOn': '实时推送已连接：变化即时显示', 'hdr.liveOff': '实时推送未连接：每 {s} 秒刷新',
  'hdr.tz': '北京时间 UTC+8', 'hdr.tzTitle': '本页所有时间均为北京时间（UTC+8）',
  'hdr.theme': '配色', 'theme.system': '跟随系统', 'theme.light': '浅色', 'theme.dark': '深色',
  'hdr.lang': '语言', 'hdr.langBoth': '语言 / Language',
  'role.admin': '管理员', 'role.ops': '运维', 'role.security': '安全', 'role.regulator': '监管科', 'role.department': '部门联络员',
  'hdr.userLabel': '{name}（{role}）',
  'login.sub': '请使用工号登录', 'login.user': '用户名', 'login.password': '密码', 'login.submit': '登录', 'login.failed': '登录失败',
  'login.expired': '登录已过期，请重新登录',
  'page.forbidden': '当前角色无权查看此页面', 'page.notFound': '页面不存在', 'page.loadFailed': '加载失败：{msg}',
  // common states
  'common.loading': '加载中…', 'common.empty': '暂无数据', 'common.retry': '重试', 'common.failed': '{what}加载失败：{msg}',
  'common.networkError': '网络错误', 'common.cancel': '取消', 'common.ok': '确定', 'common.all': '全部',
  'common.actionFailed': '操作失败：{msg}',
  'state.up': '正常', 'state.down': '故障', 'state.degraded': '降级', 'state.maintenance': '维护', 'state.unknown': '未知',
  'state.firing': '告警中', 'state.pending': '待定', 'state.resolved': '已恢复', 'state.acknowledged': '已确认',
  // list tables
  'list.what': '列表', 'list.total': '共 {n} 条', 'list.selected': '已选 {n} 条', 'list.selectAll': '全选本页',
  'list.prev': '上一页', 'list.next': '下一页', 'list.pageNo': '第 {at} / {pages} 页', 'list.sortHint': '按此列排序',
  'picker.placeholder': '搜索目标（ID、名称或地址）', 'picker.item': '{module} / {name}（{id}，{state}）',
  'picker.more': '共 {n} 个，继续输入以缩小范围', 'picker.none': '没有匹配的目标',
  // 目标详情
  'target.label': '目标：', 'target.add': '新增接口', 'target.none': '暂无目标', 'target.missing': '没有这个监测对象：{id}',
  'target.phase.resolve': 'DNS解析', 'target.phase.connect': 'TCP连接', 'target.phase.tls': 'TLS握手', 'target.phase.processing': '服务处理', 'target.phase.transfer': '传输',
  'target.p95Right': 'P95（右轴）', 'target.phaseAxis': '分阶段 毫秒', 'target.p95Axis': 'P95 毫秒',
  'target.blNone': '内容基线（非网页内容目标）', 'target.blApproved': '内容基线 · {by} 批准于 {at}',
  'target.blProvisional': '内容基线 · 首次采集于 {at}，尚未确认', 'target.bl': '内容基线',
  'target.meta': '类型 {type} · 每 {s} 秒 · 自 {since} · 连续失败 {n} 次', 'target.configLink': '配置与版本历史',
  'target.avail24h': '24小时可用率', 'target.availRange': '所选时段可用率', 'target.p95Range': '所选时段 P95',
  'target.days': '{n} 天', 'target.certExpiry': '证书到期 {at}', 'target.certNone': '证书到期（非 TLS 目标）',
  'target.incident': '当前事件：自 {at} · {err}', 'target.latency': '响应耗时（分阶段堆叠，P95 折线）',
  'target.calendar': '可用率日历（近90天）', 'target.failures': '最近失败', 'target.noFailures': '没有失败记录',
  'target.col.time': '时间', 'target.col.status': '状态码', 'target.col.errorType': '错误类型', 'target.col.error': '错误信息', 'target.col.duration': '耗时',
  'target.what': '监测对象', 'target.calTip': '{day}：{v}%',
  'api.uploadNetwork': '网络错误，上传未完成',
  // 总览
  'ov.modules': '模块状态', 'ov.tileAvail': '可用率 24h {d1} · 30d {d30}', 'ov.tileTargets': '目标 {total} · 故障 {down} · 降级 {degraded}',
  'ov.noneInState': '没有{state}的模块', 'ov.noModules': '暂无模块数据', 'ov.onlyState': '只显示{state}的模块', 'ov.showAll': '显示全部',
  'ov.showAllModules': '显示全部模块', 'ov.stateModules': '{state}模块', 'ov.period.24h': '24小时', 'ov.period.7d': '7天', 'ov.period.30d': '30天',
  'ov.availability': '可用率', 'ov.overall': '整体可用率（模块平均）',
  'ov.run.ok': '成功', 'ov.run.partial': '部分成功', 'ov.run.failed': '失败', 'ov.run.running': '运行中',
  'ov.report.failed': '今日数据直报：加载失败', 'ov.report.empty': '今日数据直报：暂无数据', 'ov.report.none': '今日数据直报：今天尚未运行',
  'ov.report.line': '今日数据直报：已运行 {n} 次，最近一次 {at} {status}；上报 {records} 条，接收 {accepted} 条，拒收 {rejected} 条',
  'ov.incidents': '事件', 'ov.openIncidents': '当前事件', 'ov.seeIncidents': '查看当前事件', 'ov.seeFiring': '查看告警中的项目',
  'ov.incSearch': '搜索目标或原因', 'ov.incOpen': '未恢复', 'ov.incClosed': '已恢复', 'ov.ongoing': '进行中', 'ov.noIncidents': '当前没有事件',
  'ov.targets': '监测对象', 'ov.targetSearch': '搜索 ID、名称或地址', 'ov.noTargets': '没有匹配的监测对象',
  'ov.col.target': '目标', 'ov.col.module': '模块', 'ov.col.start': '开始', 'ov.col.end': '结束', 'ov.col.reason': '原因', 'ov.col.state': '状态',
  'ov.col.type': '类型', 'ov.col.name': '名称', 'ov.col.since': '状态变化', 'ov.col.last': '最近',
  // 系统
  'system.backup': '数据库备份', 'system.backupServer': '数据库为 PostgreSQL 服务器：请在服务器上用 ops/backup（pg_dump）备份，见 docs/ops.md。',
  'system.backupDownload': '下载数据库备份', 'system.backupRunning': '正在备份…', 'system.backupDone': '备份已下载：{file}（{size}）',
  'system.backupFailed': '备份失败：{msg}', 'system.backupNote': '在线备份内嵌数据库，监测不停：下载数据目录的一致副本（.tar.gz），用 ops/restore 恢复到空目录（见 docs/ops.md）。',
  'system.db': '数据库', 'system.dbState': '{state}（{backend}）', 'system.dbUp': '正常', 'system.dbDown': '异常', 'system.embedded': '内嵌', 'system.server': '服务器',
  'system.lag': '调度延迟 P99', 'system.buffer': '写入缓冲', 'system.rows': '{n} 条', 'system.journal': '本地日志（journal）',
  'system.writeRate': '写入速率', 'system.perSecond': '{n} 行/秒', 'system.dbSize': '数据库大小',
  'system.rateChart': '写入速率与探测速率（近1小时）', 'system.writePerS': '写入 行/秒', 'system.probePerS': '探测 次/秒',
  'system.lagChart': '调度延迟与缓冲（近1小时）', 'system.lagP99': '延迟 P99 (ms)', 'system.bufferRows': '缓冲 (条)', 'system.rowsUnit': '条',
  'system.hypertables': '超表与分块', 'system.col.table': '表', 'system.col.chunks': '分块数', 'system.col.compressed': '已压缩',
  'system.col.size': '总大小', 'system.col.oldest': '最早', 'system.col.newest': '最新',
  'system.instances': '采集实例', 'system.col.instance': '实例', 'system.col.targets': '目标数', 'system.col.lag': '延迟 P50/P99',
  'system.col.rate': '写入 行/秒', 'system.col.reported': '上报时间', 'system.noInstances': '近1小时没有采集实例上报',
  'system.what': '采集与数据库状态',
  // 告警 (pages/alerts.ts)
  'alerts.sev.critical': '严重', 'alerts.sev.warning': '警告', 'alerts.sev.info': '提示',
  'alerts.win.active': '生效中', 'alerts.win.pending': '未开始', 'alerts.win.upcoming': '未开始', 'alerts.win.expired': '已结束',
  'alerts.delivery.sent': '已发送', 'alerts.delivery.failed': '失败', 'alerts.delivery.gave_up': '放弃',
  'alerts.team': '团队', 'alerts.newSilence': '新建静默', 'alerts.newMaint': '新建维护窗口', 'alerts.f.module': '模块（不限则留空）', 'alerts.f.any': '不限', 'alerts.f.modOpt': '{name}（{id}）',
  'alerts.f.target': '目标（输入以搜索；不限则留空）', 'alerts.f.alertname': '告警规则名（不限则留空）',
  'alerts.f.matchers': '其他匹配条件（高级，可不填；每行一条，如 severity="warning"）',
  'alerts.f.start': '开始（北京时间）', 'alerts.f.end': '结束（北京时间）', 'alerts.f.reason': '原因（必填）', 'alerts.f.note': '备注',
  'alerts.f.name': '名称', 'alerts.f.maintModule': '模块（整个模块维护时选择）', 'alerts.f.maintTarget': '或单个目标（输入以搜索）',
  'alerts.f.comment': '说明（内部）', 'alerts.f.publicNote': '公开说明（模块维护时显示在公开状态页，可不填，200 字以内）',
  'alerts.needMatcher': '请至少选择模块、目标、规则之一，或填写匹配条件', 'alerts.badTimes': '开始、结束时间请按 年-月-日 时:分 选择',
  'alerts.badEnd': '结束时间请按 年-月-日 时:分 选择', 'alerts.needScope': '请选择一个模块，或搜索并选择一个目标',
  'alerts.silenceCreated': '静默已创建', 'alerts.maintCreated': '维护窗口已创建', 'alerts.maintDefault': '例行维护', 'alerts.ackDefault': '已知悉，处理中',
  'alerts.silenced': '已静默', 'alerts.inMaint': '维护中（{name}）', 'alerts.inhibited': '已抑制',
  'alerts.bulkAckTitle': '确认选中的 {n} 条告警', 'alerts.bulkAcked': '已确认 {n} 条告警',
  'alerts.bulkSilenceTitle': '静默选中的 {n} 条告警', 'alerts.bulkSilenced': '已静默 {n} 条告警',
  'alerts.search': '搜索规则、摘要、目标、模块', 'alerts.acked': '已确认', 'alerts.unacked': '未确认',
  'alerts.bulkAck': '批量确认', 'alerts.bulkSilence': '批量静默',
  'alerts.col.severity': '级别', 'alerts.col.rule': '规则', 'alerts.col.object': '对象', 'alerts.col.summary': '摘要', 'alerts.col.state': '状态',
  'alerts.col.start': '开始', 'alerts.col.end': '结束', 'alerts.col.team': '团队', 'alerts.col.ack': '确认', 'alerts.col.notice': '通报',
  'alerts.ackedBy': '已确认 {by} · {at}', 'alerts.ackTitle': '确认告警', 'alerts.ackDone': '已确认', 'alerts.ack': '确认', 'alerts.toNotice': '转为通报',
  'alerts.noFiring': '没有正在告警的项目',
  'alerts.silences': '静默', 'alerts.silenceSearch': '搜索匹配条件、原因、创建人',
  'alerts.col.matchers': '匹配', 'alerts.col.createdBy': '创建人', 'alerts.col.reason': '原因',
  'alerts.silenceExpired': '静默已结束', 'alerts.expire': '结束', 'alerts.noSilences': '暂无静默',
  'alerts.maint': '维护窗口', 'alerts.col.name': '名称', 'alerts.col.scope': '范围', 'alerts.scopeTarget': '目标 {id}', 'alerts.scopeModule': '模块 {id}',
  'alerts.recurrence': '（周期 {r}）', 'alerts.col.comment': '说明', 'alerts.maintExpired': '维护窗口已结束', 'alerts.noMaint': '暂无维护窗口',
  'alerts.deliveries': '通知发送记录', 'alerts.col.time': '时间', 'alerts.col.receiver': '接收方', 'alerts.col.channel': '渠道', 'alerts.col.result': '结果',
  'alerts.col.attempt': '第几次', 'alerts.col.alerts': '告警数', 'alerts.col.error': '错误', 'alerts.noDeliveries': '暂无发送记录',
  'alerts.maintWhat': '维护窗口', 'alerts.deliveriesWhat': '通知发送记录',
  // DNS 基线 (pages/dns-baseline.ts)
  'dns.what': 'DNS 基线', 'dns.noAnswer': '尚无解析结果', 'dns.noBaseline': '无基线', 'dns.match': '一致', 'dns.mismatch': '与基线不一致',
  'dns.confirmTitle': '确认 DNS 解析基线', 'dns.answersLabel': '以 {at} 的解析结果作为基线', 'dns.reasonLabel': '原因（必填，记入审计，例如变更单号）',
  'dns.approved': '已确认新的 DNS 基线', 'dns.approveFailed': '确认失败：{msg}', 'dns.approveNew': '批准新解析结果', 'dns.confirmFirst': '确认首次解析结果',
  'dns.current': '当前解析 {answers}', 'dns.pinned': '配置固定 expect（{type}）', 'dns.withType': '{text}（{type}）',
  'dns.firstSeen': '首次解析自动采用，待安全人员确认', 'dns.approvedBy': '{by} 确认于 {at}：{reason}', 'dns.noBaselineYet': '尚无基线',
  'dns.col.time': '时间', 'dns.col.baseline': '基线', 'dns.col.replaced': '替换', 'dns.col.by': '确认人', 'dns.col.reason': '原因', 'dns.firstAnswer': '首次解析',
};

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.title': 'Operations monitor',
  'app.loading': 'Loading…',
  'nav.menu': 'Menu',
  'nav.overview': 'Overview', 'nav.target': 'Target', 'nav.alerts': 'Alerts', 'nav.notices': 'Notices', 'nav.reporting': 'Reporting',
  'nav.rum': 'Real users', 'nav.calls': 'API calls', 'nav.config': 'Configuration', 'nav.system': 'System', 'nav.admin': 'Admin',
  'range.title': 'Time range', 'range.1h': 'Last hour', 'range.6h': 'Last 6 hours', 'range.24h': 'Last 24 hours', 'range.7d': 'Last 7 days', 'range.30d': 'Last 30 days',
  'hdr.auto': 'Auto refresh', 'hdr.autoTitle': 'Refresh every {s} s', 'hdr.refresh': 'Refresh', 'hdr.logout': 'Sign out',
  'hdr.live': 'Live', 'hdr.poll': 'Polling', 'hdr.liveOn': 'Live updates connected: changes show at once', 'hdr.liveOff': 'Live updates not connected: refreshing every {s} s',
  'hdr.tz': 'Beijing time UTC+8', 'hdr.tzTitle': 'All times on this page are Beijing time (UTC+8)',
  'hdr.theme': 'Theme', 'theme.system': 'System', 'theme.light': 'Light', 'theme.dark': 'Dark',
  'hdr.lang': 'Language', 'hdr.langBoth': '语言 / Language',
  'role.admin': 'admin', 'role.ops': 'operations', 'role.security': 'security', 'role.regulator': 'regulatory office', 'role.department': 'department contact',
  'hdr.userLabel': '{name} ({role})',
  'login.sub': 'Sign in with your staff number', 'login.user': 'User name', 'login.password': 'Password', 'login.submit': 'Sign in', 'login.failed': 'Sign-in failed',
  'login.expired': 'Your session has expired, please sign in again',
  'page.forbidden': 'Your role may not see this page', 'page.notFound': 'No such page', 'page.loadFailed': 'Could not load: {msg}',
  'common.loading': 'Loading…', 'common.empty': 'No data', 'common.retry': 'Retry', 'common.failed': 'Could not load {what}: {msg}',
  'common.networkError': 'network error', 'common.cancel': 'Cancel', 'common.ok': 'OK', 'common.all': 'All',
  'common.actionFailed': 'Failed: {msg}',
  'state.up': 'up', 'state.down': 'down', 'state.degraded': 'degraded', 'state.maintenance': 'maintenance', 'state.unknown': 'unknown',
  'state.firing': 'firing', 'state.pending': 'pending', 'state.resolved': 'resolved', 'state.acknowledged': 'acknowledged',
  'list.what': 'the list', 'list.total': '{n} in all', 'list.selected': '{n} selected', 'list.selectAll': 'Select this page',
  'list.prev': 'Previous', 'list.next': 'Next', 'list.pageNo': 'Page {at} of {pages}', 'list.sortHint': 'Sort by this column',
  'picker.placeholder': 'Search targets (ID, name or address)', 'picker.item': '{module} / {name} ({id}, {state})',
  'picker.more': '{n} in all, type more to narrow down', 'picker.none': 'No matching target',
  'target.label': 'Target:', 'target.add': 'Add an endpoint', 'target.none': 'No targets yet', 'target.missing': 'No such target: {id}',
  'target.phase.resolve': 'DNS', 'target.phase.connect': 'TCP connect', 'target.phase.tls': 'TLS handshake', 'target.phase.processing': 'Server processing', 'target.phase.transfer': 'Transfer',
  'target.p95Right': 'P95 (right axis)', 'target.phaseAxis': 'phases ms', 'target.p95Axis': 'P95 ms',
  'target.blNone': 'Content baseline (not a content target)', 'target.blApproved': 'Content baseline · approved by {by} at {at}',
  'target.blProvisional': 'Content baseline · first captured at {at}, not confirmed yet', 'target.bl': 'Content baseline',
  'target.meta': 'type {type} · every {s} s · since {since} · {n} failures in a row', 'target.configLink': 'Configuration and versions',
  'target.avail24h': 'Availability 24 h', 'target.availRange': 'Availability in range', 'target.p95Range': 'P95 in range',
  'target.days': '{n} days', 'target.certExpiry': 'Certificate expires {at}', 'target.certNone': 'Certificate expiry (not a TLS target)',
  'target.incident': 'Open incident: since {at} · {err}', 'target.latency': 'Response time (phases stacked, P95 line)',
  'target.calendar': 'Availability calendar (last 90 days)', 'target.failures': 'Recent failures', 'target.noFailures': 'No failures',
  'target.col.time': 'Time', 'target.col.status': 'Status', 'target.col.errorType': 'Error type', 'target.col.error': 'Error', 'target.col.duration': 'Duration',
  'target.what': 'the target', 'target.calTip': '{day}: {v}%',
  'api.uploadNetwork': 'Network error, the upload did not finish',
  'ov.modules': 'Modules', 'ov.tileAvail': 'availability 24h {d1} · 30d {d30}', 'ov.tileTargets': 'targets {total} · down {down} · degraded {degraded}',
  'ov.noneInState': 'No module is {state}', 'ov.noModules': 'No modules yet', 'ov.onlyState': 'Only modules that are {state}', 'ov.showAll': 'show all',
  'ov.showAllModules': 'Show all modules', 'ov.stateModules': 'modules {state}', 'ov.period.24h': '24 hours', 'ov.period.7d': '7 days', 'ov.period.30d': '30 days',
  'ov.availability': 'Availability', 'ov.overall': 'Overall availability (mean of the modules)',
  'ov.run.ok': 'succeeded', 'ov.run.partial': 'partly succeeded', 'ov.run.failed': 'failed', 'ov.run.running': 'running',
  'ov.report.failed': 'Reporting today: could not load', 'ov.report.empty': 'Reporting today: no data', 'ov.report.none': 'Reporting today: not run yet today',
  'ov.report.line': 'Reporting today: {n} runs, the latest at {at} {status}; {records} records sent, {accepted} accepted, {rejected} rejected',
  'ov.incidents': 'Incidents', 'ov.openIncidents': 'Open incidents', 'ov.seeIncidents': 'See the open incidents', 'ov.seeFiring': 'See the firing alerts',
  'ov.incSearch': 'Search target or cause', 'ov.incOpen': 'open', 'ov.incClosed': 'resolved', 'ov.ongoing': 'ongoing', 'ov.noIncidents': 'No open incident',
  'ov.targets': 'Targets', 'ov.targetSearch': 'Search ID, name or address', 'ov.noTargets': 'No matching target',
  'ov.col.target': 'Target', 'ov.col.module': 'Module', 'ov.col.start': 'Start', 'ov.col.end': 'End', 'ov.col.reason': 'Cause', 'ov.col.state': 'State',
  'ov.col.type': 'Type', 'ov.col.name': 'Name', 'ov.col.since': 'State since', 'ov.col.last': 'Latest',
  'system.backup': 'Database backup', 'system.backupServer': 'The database is a PostgreSQL server: back it up on the server with ops/backup (pg_dump), see docs/ops.md.',
  'system.backupDownload': 'Download a database backup', 'system.backupRunning': 'Backing up…', 'system.backupDone': 'Backup downloaded: {file} ({size})',
  'system.backupFailed': 'Backup failed: {msg}', 'system.backupNote': 'Backs up the embedded database online, monitoring goes on: a consistent copy of the data folder (.tar.gz); restore it into an empty folder with ops/restore (see docs/ops.md).',
  'system.db': 'Database', 'system.dbState': '{state} ({backend})', 'system.dbUp': 'up', 'system.dbDown': 'failing', 'system.embedded': 'embedded', 'system.server': 'server',
  'system.lag': 'Scheduling lag P99', 'system.buffer': 'Write buffer', 'system.rows': '{n} rows', 'system.journal': 'Local journal',
  'system.writeRate': 'Write rate', 'system.perSecond': '{n} rows/s', 'system.dbSize': 'Database size',
  'system.rateChart': 'Write and probe rate (last hour)', 'system.writePerS': 'writes rows/s', 'system.probePerS': 'probes /s',
  'system.lagChart': 'Scheduling lag and buffer (last hour)', 'system.lagP99': 'lag P99 (ms)', 'system.bufferRows': 'buffer (rows)', 'system.rowsUnit': 'rows',
  'system.hypertables': 'Hypertables and chunks', 'system.col.table': 'Table', 'system.col.chunks': 'Chunks', 'system.col.compressed': 'Compressed',
  'system.col.size': 'Total size', 'system.col.oldest': 'Oldest', 'system.col.newest': 'Newest',
  'system.instances': 'Collector instances', 'system.col.instance': 'Instance', 'system.col.targets': 'Targets', 'system.col.lag': 'Lag P50/P99',
  'system.col.rate': 'Writes rows/s', 'system.col.reported': 'Reported', 'system.noInstances': 'No collector instance reported in the last hour',
  'system.what': 'collector and database status',
  'alerts.sev.critical': 'critical', 'alerts.sev.warning': 'warning', 'alerts.sev.info': 'info',
  'alerts.win.active': 'active', 'alerts.win.pending': 'not started', 'alerts.win.upcoming': 'not started', 'alerts.win.expired': 'ended',
  'alerts.delivery.sent': 'sent', 'alerts.delivery.failed': 'failed', 'alerts.delivery.gave_up': 'gave up',
  'alerts.team': 'Team', 'alerts.newSilence': 'New silence', 'alerts.newMaint': 'New maintenance window', 'alerts.f.module': 'Module (empty for any)', 'alerts.f.any': 'any', 'alerts.f.modOpt': '{name} ({id})',
  'alerts.f.target': 'Target (type to search; empty for any)', 'alerts.f.alertname': 'Alert rule name (empty for any)',
  'alerts.f.matchers': 'Other matchers (advanced, optional; one a line, e.g. severity="warning")',
  'alerts.f.start': 'Start (Beijing time)', 'alerts.f.end': 'End (Beijing time)', 'alerts.f.reason': 'Reason (required)', 'alerts.f.note': 'Note',
  'alerts.f.name': 'Name', 'alerts.f.maintModule': 'Module (for a whole module)', 'alerts.f.maintTarget': 'or one target (type to search)',
  'alerts.f.comment': 'Comment (internal)', 'alerts.f.publicNote': 'Public note (shown on the public status page for a module, optional, up to 200 characters)',
  'alerts.needMatcher': 'Choose at least a module, a target or a rule, or write a matcher', 'alerts.badTimes': 'Pick start and end as year-month-day hour:minute',
  'alerts.badEnd': 'Pick the end as year-month-day hour:minute', 'alerts.needScope': 'Choose a module, or search and choose a target',
  'alerts.silenceCreated': 'Silence created', 'alerts.maintCreated': 'Maintenance window created', 'alerts.maintDefault': 'Routine maintenance', 'alerts.ackDefault': 'Noted, working on it',
  'alerts.silenced': 'silenced', 'alerts.inMaint': 'in maintenance ({name})', 'alerts.inhibited': 'inhibited',
  'alerts.bulkAckTitle': 'Acknowledge the {n} selected alerts', 'alerts.bulkAcked': '{n} alerts acknowledged',
  'alerts.bulkSilenceTitle': 'Silence the {n} selected alerts', 'alerts.bulkSilenced': '{n} alerts silenced',
  'alerts.search': 'Search rule, summary, target, module', 'alerts.acked': 'acknowledged', 'alerts.unacked': 'not acknowledged',
  'alerts.bulkAck': 'Acknowledge selected', 'alerts.bulkSilence': 'Silence selected',
  'alerts.col.severity': 'Severity', 'alerts.col.rule': 'Rule', 'alerts.col.object': 'Object', 'alerts.col.summary': 'Summary', 'alerts.col.state': 'State',
  'alerts.col.start': 'Start', 'alerts.col.end': 'End', 'alerts.col.team': 'Team', 'alerts.col.ack': 'Acknowledged', 'alerts.col.notice': 'Notice',
  'alerts.ackedBy': 'acknowledged by {by} · {at}', 'alerts.ackTitle': 'Acknowledge the alert', 'alerts.ackDone': 'Acknowledged', 'alerts.ack': 'Acknowledge', 'alerts.toNotice': 'Make a notice',
  'alerts.noFiring': 'Nothing is firing',
  'alerts.silences': 'Silences', 'alerts.silenceSearch': 'Search matchers, reason, author',
  'alerts.col.matchers': 'Matchers', 'alerts.col.createdBy': 'Created by', 'alerts.col.reason': 'Reason',
  'alerts.silenceExpired': 'Silence ended', 'alerts.expire': 'End', 'alerts.noSilences': 'No silences',
  'alerts.maint': 'Maintenance windows', 'alerts.col.name': 'Name', 'alerts.col.scope': 'Scope', 'alerts.scopeTarget': 'target {id}', 'alerts.scopeModule': 'module {id}',
  'alerts.recurrence': ' (recurring {r})', 'alerts.col.comment': 'Comment', 'alerts.maintExpired': 'Maintenance window ended', 'alerts.noMaint': 'No maintenance windows',
  'alerts.deliveries': 'Notification log', 'alerts.col.time': 'Time', 'alerts.col.receiver': 'Receiver', 'alerts.col.channel': 'Channel', 'alerts.col.result': 'Result',
  'alerts.col.attempt': 'Attempt', 'alerts.col.alerts': 'Alerts', 'alerts.col.error': 'Error', 'alerts.noDeliveries': 'No notifications sent',
  'alerts.maintWhat': 'the maintenance windows', 'alerts.deliveriesWhat': 'the notification log',
  'dns.what': 'DNS baseline', 'dns.noAnswer': 'No answer yet', 'dns.noBaseline': 'No baseline', 'dns.match': 'matches', 'dns.mismatch': 'differs from the baseline',
  'dns.confirmTitle': 'Confirm the DNS baseline', 'dns.answersLabel': 'Take the answers of {at} as the baseline', 'dns.reasonLabel': 'Reason (required, audited, e.g. the change ticket)',
  'dns.approved': 'New DNS baseline confirmed', 'dns.approveFailed': 'Could not confirm: {msg}', 'dns.approveNew': 'Approve the new answers', 'dns.confirmFirst': 'Confirm the first answers',
  'dns.current': 'current answers {answers}', 'dns.pinned': 'pinned by configuration: expect ({type})', 'dns.withType': '{text} ({type})',
  'dns.firstSeen': 'first answers taken automatically, awaiting confirmation by security', 'dns.approvedBy': 'confirmed by {by} at {at}: {reason}', 'dns.noBaselineYet': 'no baseline yet',
  'dns.col.time': 'Time', 'dns.col.baseline': 'Baseline', 'dns.col.replaced': 'Replaced', 'dns.col.by': 'Confirmed by', 'dns.col.reason': 'Reason', 'dns.firstAnswer': 'first answers',
};

const CATALOGUE: Record<Lang, Record<Key, string>> = { 'zh-CN': zh, en };

function readLang(): Lang {
  try {
    return localStorage.getItem('lang') === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}
let current: Lang = readLang();

export const lang = (): Lang => current;
export function setLang(l: Lang) {
  current = l;
  try {
    localStorage.setItem('lang', l);
  } catch { /* private mode: this page only */ }
  document.documentElement.lang = l;
}

/** The string for `key` in the current language, with {name} replaced by vars.name. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = CATALOGUE[current][key] ?? zh[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

/** Whether the catalogue has `key` (for strings chosen at run time, e.g. a state name). */
export const hasKey = (key: string): key is Key => key in zh;
