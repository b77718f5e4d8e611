/**
 * Every piece of UI text, in Chinese and English, and the current language. Chinese is the default;
 * the choice is remembered in localStorage and mirrored on `<html lang>`.
 *
 * @example
 *   import { i18n, t } from './i18n.svelte.ts';
 *   t('loading.cells');               // "加载网格…" or "Loading cells…"
 *   t('table.rows', { n: 78 });       // "{n} 个社区" with n filled in
 *   i18n.lang = 'en';
 */

export type Lang = 'zh' | 'en';

const zh = {
  'app.title': '15分钟生活圈 · 服务覆盖',
  'app.subtitle': '谁能步行到达养老与公共服务',
  'lang.switch': 'English',
  'lang.switchTitle': 'Switch to English',

  'controls.category': '设施类别',
  'controls.facilities': '{n} 处',
  'controls.tier': '生活圈',
  'controls.tierValue': '{n} 分钟',
  'controls.speed': '步行速度',
  'controls.speed.general': '一般人群',
  'controls.speed.elderly': '老年人',
  'controls.mPerMin': '{n} 米/分',
  'controls.weighting': '缺口按',
  'controls.weighting.residents': '居民',
  'controls.weighting.elderly': '老年人',
  'controls.walkshedHere': '点选地图查看步行范围',
  'controls.walkshedHereOn': '在地图上点一个位置…',
  'controls.clearWalkshed': '清除步行范围',
  'controls.hint': '点击网格查看详情；点击设施查看其步行范围；Alt+点击任意位置查看该点步行范围。',
  'controls.collapse': '收起',
  'controls.expand': '展开',

  'summary.title': '全市覆盖（{tier} 分钟，{speed}）',
  'summary.residents': '居民',
  'summary.elderly': '老年人',
  'summary.covered': '{pct}% 可达',

  'table.title': '各街道/社区覆盖',
  'table.name': '名称',
  'table.population': '人口',
  'table.elderly': '老年人',
  'table.residentsPct': '居民覆盖%',
  'table.elderlyPct': '老人覆盖%',
  'table.median': '中位分钟',
  'table.populationTitle': '常住人口',
  'table.elderlyTitle': '老年人口（60岁以上）',
  'table.residentsPctTitle': '选定生活圈内可步行到达的居民比例',
  'table.elderlyPctTitle': '选定生活圈内可步行到达的老年人比例',
  'table.medianTitle': '步行到最近设施的中位时间（分钟，按缺口权重人群）',
  'table.rows': '{n} 个',
  'table.noData': '—',
  'table.filter': '筛选名称…',
  'table.zoomTo': '缩放到 {name}',

  'legend.title': '图例',
  'legend.minutes': '步行到最近{category}（分钟）',
  'legend.within': '≤ {n} 分钟',
  'legend.beyond': '> {n} 分钟',
  'legend.gap': '缺口：超出 {n} 分钟且有{who}',
  'legend.gapCluster': '缺口片区（按{who}排序）',
  'legend.gapUnreachable': '缺口：有{who}但任何设施都无法步行到达',
  'legend.unreachable': '无法到达且无人居住',
  'legend.facilities': '设施',
  'legend.communities': '街道/社区边界',
  'legend.walkshed': '步行范围等时线 5/10/15 分钟',
  'legend.who.residents': '居民',
  'legend.who.elderly': '老年人',

  'loading.city': '加载城市信息…',
  'loading.basemap': '加载底图…',
  'loading.cells': '加载网格…',
  'loading.facilities': '加载设施…',
  'loading.communities': '加载社区统计…',
  'loading.gaps': '加载覆盖缺口…',
  'loading.cell': '加载网格详情…',
  'loading.walkshed': '计算步行范围…',
  'loading.drawing': '绘制网格…',

  'error.title': '出错了',
  'error.dismiss': '关闭',
  'error.network': '无法连接服务器',
  'error.walkshedFar': '该位置离街道太远，无法计算步行范围',

  'popup.cell': '网格',
  'popup.residents': '居民',
  'popup.elderly': '老年人',
  'popup.communities': '所属街道/社区',
  'popup.nearest': '最近设施',
  'popup.category': '类别',
  'popup.facility': '设施',
  'popup.distance': '距离',
  'popup.minGeneral': '一般（分钟）',
  'popup.minElderly': '老人（分钟）',
  'popup.none': '无法到达',
  'popup.unnamed': '（无名称）',
  'popup.capacity': '规模',
  'popup.capacityUnknown': '未知',
  'popup.unsnapped': '该设施离步行网络太远，未计入覆盖',
  'popup.snap': '吸附到街道 {n} 米',
  'popup.walkshedShown': '已显示 {speed} 步行范围（{n} 分钟内 {cells} 个网格）',
  'popup.close': '关闭',
  'popup.pointWalkshed': '此处步行 {n} 分钟范围',
  'popup.cells': '{n} 个网格',

  'gap.label': '缺口 #{rank}',
  'gap.elderly': '{n} 位老人',
  'gap.residents': '{n} 位居民',
  'gap.cells': '{n} 个网格',

  'controls.view': '视图',
  'controls.view.coverage': '步行覆盖',
  'controls.view.compliance': '规范达标',

  'compliance.title': '各街道/社区规范达标',
  'compliance.summary': '{m} 个中有 {n} 个未达标',
  'compliance.filter': '筛选名称…',
  'compliance.pass': '全部达标',
  'compliance.failed': '{n} 项未达标',
  'compliance.noPopulation': '无人口数据',
  'compliance.tier.within': '{n} 分钟生活圈',
  'compliance.tier.between': '介于 {below} 与 {above} 分钟生活圈之间',
  'compliance.tier.betweenTop': '大于 {below} 分钟生活圈',
  'compliance.tier.under': '低于 {n} 分钟生活圈的人口范围',
  'compliance.tier.over': '超出 {n} 分钟生活圈的人口范围',
  'compliance.governs': '按 {n} 分钟生活圈配置要求检查',
  'compliance.requirement': '{category} {tier} 分钟内：{share}% 的{who}可达，要求 {need}%',
  'compliance.requirementNone': '{category} {tier} 分钟内：无{who}',
  'compliance.supply': '{category}：{catchment} 分钟内每 {per} 名{who} {value} {unit}，要求 {need} {unit}',
  'compliance.supplyPlain': '{category}：{value}，要求 {need}',
  'compliance.who.residents': '居民',
  'compliance.who.elderly': '老年人',
  'compliance.who.households': '户',
  'compliance.ruleLink': '规则',
  'compliance.ruleLinkTitle': '查看规则 {id} 及其出处',
  'compliance.othersPass': '其余 {n} 项达标',
  'compliance.select': '查看 {name} 的未达标项',
  'compliance.rows': '{n} 个',
  'compliance.mapLabelPass': '达标',

  'rule.title': '规则',
  'rule.kind': '类型',
  'rule.kind.tier': '生活圈分级',
  'rule.kind.walking_speed': '步行速度',
  'rule.kind.facility_requirement': '设施配置要求',
  'rule.kind.supply_norm': '配置指标',
  'rule.kind.joint_community': '联合社区规模',
  'rule.kind.grid_size': '网格规模',
  'rule.parameters': '参数',
  'rule.document': '文件',
  'rule.clause': '条款',
  'rule.label': '出处等级',
  'rule.label.P': '官方原文',
  'rule.label.S': '二手摘要',
  'rule.label.L': '地方规定',
  'rule.label.D': '由计算推得',
  'rule.label.C': '推测',
  'rule.enabled': '启用',
  'rule.yes': '是',
  'rule.no': '否',
  'rule.failing': '{n} 个街道/社区未达到此规则',
  'rule.profile': '标准',
  'rule.unknown': '标准中没有规则 “{id}”',
  'rule.close': '关闭',

  'legend.compliance': '未达标规则数（按街道/社区）',
  'legend.compliance.pass': '全部达标',
  'legend.compliance.n': '{n} 项',
  'legend.compliance.nPlus': '≥ {n} 项',
  'legend.compliance.noPopulation': '无人口数据',

  'loading.compliance': '加载规范达标检查…',
  'loading.profile': '加载规划标准…',

  'unit.beds': '张床位',
  'unit.m2': '平方米',

  'scenario.label': '方案',
  'scenario.baseline': '基准（现状）',
  'scenario.new': '新建',
  'scenario.rename': '重命名',
  'scenario.delete': '删除',
  'scenario.confirmDelete': '确认删除？',
  'scenario.name': '方案名称',
  'scenario.defaultName': '方案 {n}',
  'scenario.ok': '确定',
  'scenario.cancel': '取消',
  'scenario.undo': '撤销',
  'scenario.redo': '重做',
  'scenario.steps': '已应用 {head}/{count} 项修改',
  'scenario.siting': '选址模式',
  'scenario.sitingOn': '退出选址模式',
  'scenario.skipped': '城市重建后有 {n} 项修改无法应用，已跳过；撤销和重做已停用',

  'siting.title': '选址与情景分析',
  'siting.hint': '点击地图新增一处“{category}”站点；拖动站点可移动；点选站点后可删除、停用或恢复。Esc 退出。',
  'siting.station': '选中站点',
  'siting.added': '新增',
  'siting.existing': '现状',
  'siting.open': '开放',
  'siting.closed': '停用',
  'siting.remove': '删除站点',
  'siting.close': '停用',
  'siting.reopen': '恢复',
  'siting.deselect': '取消选择',

  'delta.title': '修改的影响（{category}，{tier} 分钟，{speed}）',
  'delta.what.add': '新增站点',
  'delta.what.move': '移动站点',
  'delta.what.remove': '删除站点',
  'delta.what.close': '停用站点',
  'delta.what.reopen': '恢复站点',
  'delta.what.capacity': '修改规模',
  'delta.what.category': '修改类别',
  'delta.what.undo': '撤销',
  'delta.what.redo': '重做',
  'delta.what.accept': '采纳 {n} 处建议',
  'delta.preview': '拖动预览',
  'delta.none': '尚无修改：在地图上新增、拖动或点选站点。',
  'delta.group': '人群',
  'delta.residents': '居民',
  'delta.elderly': '老年人',
  'delta.gained': '新增覆盖',
  'delta.lost': '失去覆盖',
  'delta.communities': '影响最大的街道/社区（共 {n} 个）',
  'delta.noChange': '所选类别、生活圈和速度下覆盖没有变化。',

  'suggest.title': '选址建议',
  'suggest.kind': '问题',
  'suggest.kind.max-cover': '最大覆盖：选 p 处',
  'suggest.kind.set-cover': '集合覆盖：达到目标覆盖率',
  'suggest.kind.capacitated': '有容量限制：选 p 处',
  'suggest.p': '站点数 p',
  'suggest.target': '目标覆盖率 %',
  'suggest.capacity': '每站服务上限（人）',
  'suggest.exact': '同时精确求解（HiGHS）',
  'suggest.seconds': '时限（秒）',
  'suggest.run': '求解',
  'suggest.solving': '求解中… {s} 秒',
  'suggest.basis': '按{category}、{tier} 分钟、{speed}步行、{who}计',
  'suggest.result': '{n} 处建议共新增覆盖 {covered} 名{who}（候选点 {candidates} 个）',
  'suggest.site': '+{gain} 名{who}',
  'suggest.exactTitle': 'HiGHS 精确求解（{s} 秒，{status}）',
  'suggest.objective': '最好解',
  'suggest.bound': '证明的界',
  'suggest.gap': '贪心解差距',
  'suggest.status.optimal': '已证明最优',
  'suggest.status.timeLimit': '达到时限',
  'suggest.noBound': '时限内未得到可证明的界：可延长时限再试。',
  'suggest.unit.sites': '{n} 处',
  'suggest.accept': '全部采纳',
  'suggest.discard': '放弃',

  'compare.title': '方案与基准对比：{category}',
  'compare.tier': '生活圈',
  'compare.speed': '速度',
  'compare.residents': '居民覆盖 现状 → 方案',
  'compare.elderly': '老年人覆盖 现状 → 方案',

  'legend.scenario': '方案中的站点',
  'legend.added': '新增站点',
  'legend.closed': '停用站点',
  'legend.suggested': '建议选址（编号与新增覆盖）',

  'loading.scenarios': '加载方案列表…',
  'loading.scenario': '加载方案…',
  'loading.edit': '保存修改…',
  'loading.stations': '加载方案站点…',
  'loading.scenarioCells': '更新网格着色…',
  'loading.compare': '加载方案对比…',
  'loading.suggest': '求解选址…',

  'attribution': '© OpenStreetMap 贡献者',
  'unit.minutes': '分钟',
  'unit.m': '米',
  'unit.seconds': '秒',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.title': '15-minute life circle · service coverage',
  'app.subtitle': 'Who can walk to elderly care and public services',
  'lang.switch': '中文',
  'lang.switchTitle': '切换到中文',

  'controls.category': 'Facility category',
  'controls.facilities': '{n}',
  'controls.tier': 'Life circle',
  'controls.tierValue': '{n} min',
  'controls.speed': 'Walking speed',
  'controls.speed.general': 'General',
  'controls.speed.elderly': 'Elderly',
  'controls.mPerMin': '{n} m/min',
  'controls.weighting': 'Gaps by',
  'controls.weighting.residents': 'Residents',
  'controls.weighting.elderly': 'Elderly',
  'controls.walkshedHere': 'Walkshed from a point',
  'controls.walkshedHereOn': 'Click a place on the map…',
  'controls.clearWalkshed': 'Clear walkshed',
  'controls.hint': 'Click a cell for details; click a facility for its walkshed; Alt+click anywhere for the walkshed of that point.',
  'controls.collapse': 'Collapse',
  'controls.expand': 'Expand',

  'summary.title': 'City-wide coverage ({tier} min, {speed})',
  'summary.residents': 'Residents',
  'summary.elderly': 'Elderly',
  'summary.covered': '{pct}% within reach',

  'table.title': 'Coverage by community',
  'table.name': 'Name',
  'table.population': 'Pop.',
  'table.elderly': 'Elderly',
  'table.residentsPct': '% res.',
  'table.elderlyPct': '% eld.',
  'table.median': 'Med. min',
  'table.populationTitle': 'Residents',
  'table.elderlyTitle': 'Elderly residents (60+)',
  'table.residentsPctTitle': 'Share of residents within the selected life circle on foot',
  'table.elderlyPctTitle': 'Share of elderly within the selected life circle on foot',
  'table.medianTitle': 'Median walk to the nearest facility (minutes, of the weighted group)',
  'table.rows': '{n} rows',
  'table.noData': '—',
  'table.filter': 'Filter by name…',
  'table.zoomTo': 'Zoom to {name}',

  'legend.title': 'Legend',
  'legend.minutes': 'Walk to the nearest {category} (minutes)',
  'legend.within': '≤ {n} min',
  'legend.beyond': '> {n} min',
  'legend.gap': 'Gap: beyond {n} min, with {who}',
  'legend.gapCluster': 'Gap clusters (ranked by {who})',
  'legend.gapUnreachable': 'Gap: {who} with no facility reachable at all',
  'legend.unreachable': 'Unreachable, nobody lives there',
  'legend.facilities': 'Facilities',
  'legend.communities': 'Community boundaries',
  'legend.walkshed': 'Walkshed isochrones 5/10/15 min',
  'legend.who.residents': 'residents',
  'legend.who.elderly': 'elderly',

  'loading.city': 'Loading city…',
  'loading.basemap': 'Loading basemap…',
  'loading.cells': 'Loading cells…',
  'loading.facilities': 'Loading facilities…',
  'loading.communities': 'Loading community statistics…',
  'loading.gaps': 'Loading coverage gaps…',
  'loading.cell': 'Loading cell details…',
  'loading.walkshed': 'Computing walkshed…',
  'loading.drawing': 'Drawing cells…',

  'error.title': 'Something went wrong',
  'error.dismiss': 'Dismiss',
  'error.network': 'Cannot reach the server',
  'error.walkshedFar': 'This place is too far from any street for a walkshed',

  'popup.cell': 'Cell',
  'popup.residents': 'Residents',
  'popup.elderly': 'Elderly',
  'popup.communities': 'Communities',
  'popup.nearest': 'Nearest facility',
  'popup.category': 'Category',
  'popup.facility': 'Facility',
  'popup.distance': 'Distance',
  'popup.minGeneral': 'General (min)',
  'popup.minElderly': 'Elderly (min)',
  'popup.none': 'unreachable',
  'popup.unnamed': '(unnamed)',
  'popup.capacity': 'Capacity',
  'popup.capacityUnknown': 'unknown',
  'popup.unsnapped': 'Too far from the walking network; not counted in coverage',
  'popup.snap': 'snapped {n} m to the street',
  'popup.walkshedShown': 'Showing the {speed} walkshed ({cells} cells within {n} min)',
  'popup.close': 'Close',
  'popup.pointWalkshed': '{n}-minute walk from here',
  'popup.cells': '{n} cells',

  'gap.label': 'Gap #{rank}',
  'gap.elderly': '{n} elderly',
  'gap.residents': '{n} residents',
  'gap.cells': '{n} cells',

  'controls.view': 'View',
  'controls.view.coverage': 'Coverage',
  'controls.view.compliance': 'Compliance',

  'compliance.title': 'Compliance by community',
  'compliance.summary': '{n} of {m} communities fall short',
  'compliance.filter': 'Filter by name…',
  'compliance.pass': 'passes',
  'compliance.failed': '{n} short',
  'compliance.noPopulation': 'no population',
  'compliance.tier.within': '{n}-minute tier',
  'compliance.tier.between': 'between the {below}- and {above}-minute tiers',
  'compliance.tier.betweenTop': 'above the {below}-minute tier',
  'compliance.tier.under': 'under the {n}-minute range',
  'compliance.tier.over': 'over the {n}-minute range',
  'compliance.governs': 'checked against the {n}-minute requirements',
  'compliance.requirement': '{category} within {tier} min: {share} % of {who}, needs {need} %',
  'compliance.requirementNone': '{category} within {tier} min: no {who}',
  'compliance.supply': '{category}: {value} {unit} per {per} {who} within {catchment} min, needs {need}',
  'compliance.supplyPlain': '{category}: {value}, needs {need}',
  'compliance.who.residents': 'residents',
  'compliance.who.elderly': 'elderly',
  'compliance.who.households': 'households',
  'compliance.ruleLink': 'rule',
  'compliance.ruleLinkTitle': 'Rule {id} and its source',
  'compliance.othersPass': '{n} other rules pass',
  'compliance.select': 'Show what {name} falls short of',
  'compliance.rows': '{n} communities',
  'compliance.mapLabelPass': 'passes',

  'rule.title': 'Rule',
  'rule.kind': 'Kind',
  'rule.kind.tier': 'life-circle tier',
  'rule.kind.walking_speed': 'walking speed',
  'rule.kind.facility_requirement': 'facility requirement',
  'rule.kind.supply_norm': 'supply norm',
  'rule.kind.joint_community': 'joint community size',
  'rule.kind.grid_size': 'grid size',
  'rule.parameters': 'Parameters',
  'rule.document': 'Document',
  'rule.clause': 'Clause',
  'rule.label': 'Source label',
  'rule.label.P': 'official text',
  'rule.label.S': 'secondary summary',
  'rule.label.L': 'local rule',
  'rule.label.D': 'derived by arithmetic',
  'rule.label.C': 'conjecture',
  'rule.enabled': 'Enabled',
  'rule.yes': 'yes',
  'rule.no': 'no',
  'rule.failing': '{n} communities fall short of this rule',
  'rule.profile': 'Profile',
  'rule.unknown': 'No rule “{id}” in the profile',
  'rule.close': 'Close',

  'legend.compliance': 'Rules failed per community',
  'legend.compliance.pass': 'passes all',
  'legend.compliance.n': '{n}',
  'legend.compliance.nPlus': '{n} or more',
  'legend.compliance.noPopulation': 'no population',

  'loading.compliance': 'Loading compliance…',
  'loading.profile': 'Loading the standards profile…',

  'unit.beds': 'beds',
  'unit.m2': 'm²',

  'scenario.label': 'Scenario',
  'scenario.baseline': 'Baseline (as is)',
  'scenario.new': 'New',
  'scenario.rename': 'Rename',
  'scenario.delete': 'Delete',
  'scenario.confirmDelete': 'Really delete?',
  'scenario.name': 'Scenario name',
  'scenario.defaultName': 'Scenario {n}',
  'scenario.ok': 'OK',
  'scenario.cancel': 'Cancel',
  'scenario.undo': 'Undo',
  'scenario.redo': 'Redo',
  'scenario.steps': '{head} of {count} edits applied',
  'scenario.siting': 'Siting mode',
  'scenario.sitingOn': 'Leave siting mode',
  'scenario.skipped': '{n} stored edits no longer apply to the rebuilt city and were skipped; undo and redo are off',

  'siting.title': 'Siting and what-if',
  'siting.hint': 'Click the map to add a “{category}” station; drag a station to move it; select one to delete, close or reopen it. Esc leaves.',
  'siting.station': 'Selected station',
  'siting.added': 'added',
  'siting.existing': 'existing',
  'siting.open': 'open',
  'siting.closed': 'closed',
  'siting.remove': 'Delete station',
  'siting.close': 'Close',
  'siting.reopen': 'Reopen',
  'siting.deselect': 'Deselect',

  'delta.title': 'Effect of the change ({category}, {tier} min, {speed})',
  'delta.what.add': 'Station added',
  'delta.what.move': 'Station moved',
  'delta.what.remove': 'Station deleted',
  'delta.what.close': 'Station closed',
  'delta.what.reopen': 'Station reopened',
  'delta.what.capacity': 'Capacity changed',
  'delta.what.category': 'Category changed',
  'delta.what.undo': 'Undone',
  'delta.what.redo': 'Redone',
  'delta.what.accept': '{n} suggested sites accepted',
  'delta.preview': 'preview while dragging',
  'delta.none': 'No change yet: add, drag or select a station on the map.',
  'delta.group': 'Group',
  'delta.residents': 'Residents',
  'delta.elderly': 'Elderly',
  'delta.gained': 'Newly covered',
  'delta.lost': 'No longer covered',
  'delta.communities': 'Communities most affected ({n} in all)',
  'delta.noChange': 'No change in coverage for this category, tier and speed.',

  'suggest.title': 'Suggest sites',
  'suggest.kind': 'Problem',
  'suggest.kind.max-cover': 'Maximal covering: p sites',
  'suggest.kind.set-cover': 'Set covering: reach a target share',
  'suggest.kind.capacitated': 'Capacitated: p sites',
  'suggest.p': 'Sites p',
  'suggest.target': 'Target share %',
  'suggest.capacity': 'Capacity per site (people)',
  'suggest.exact': 'Also solve exactly (HiGHS)',
  'suggest.seconds': 'Time limit (s)',
  'suggest.run': 'Suggest',
  'suggest.solving': 'Solving… {s} s',
  'suggest.basis': 'For {category}, {tier} min, {speed} walking, counting {who}',
  'suggest.result': '{n} sites newly cover {covered} {who} ({candidates} candidates)',
  'suggest.site': '+{gain} {who}',
  'suggest.exactTitle': 'HiGHS exact solve ({s} s, {status})',
  'suggest.objective': 'Best solution',
  'suggest.bound': 'Proven bound',
  'suggest.gap': 'Greedy gap',
  'suggest.status.optimal': 'proven optimal',
  'suggest.status.timeLimit': 'time limit reached',
  'suggest.noBound': 'No proven bound within the limit: allow more time.',
  'suggest.unit.sites': '{n} sites',
  'suggest.accept': 'Accept all',
  'suggest.discard': 'Discard',

  'compare.title': 'Scenario vs baseline: {category}',
  'compare.tier': 'Tier',
  'compare.speed': 'Speed',
  'compare.residents': 'Residents covered, before → after',
  'compare.elderly': 'Elderly covered, before → after',

  'legend.scenario': 'Scenario stations',
  'legend.added': 'Added station',
  'legend.closed': 'Closed station',
  'legend.suggested': 'Suggested site (rank and gain)',

  'loading.scenarios': 'Loading scenarios…',
  'loading.scenario': 'Loading the scenario…',
  'loading.edit': 'Saving the change…',
  'loading.stations': 'Loading the scenario\'s stations…',
  'loading.scenarioCells': 'Recolouring cells…',
  'loading.compare': 'Loading the comparison…',
  'loading.suggest': 'Solving the siting problem…',

  'attribution': '© OpenStreetMap contributors',
  'unit.minutes': 'min',
  'unit.m': 'm',
  'unit.seconds': 's',
};

const dictionaries: Record<Lang, Record<Key, string>> = { zh, en };
const STORAGE_KEY = 'lifecircle.lang';

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'zh' ? v : 'zh';
  } catch {
    return 'zh'; // storage blocked (private mode, file://): fall back to the default
  }
}

/** The current language; setting it re-renders every `t()` that depends on it. */
class I18n {
  #lang = $state<Lang>(storedLang());

  constructor() {
    document.documentElement.lang = this.htmlLang;
  }

  get lang(): Lang {
    return this.#lang;
  }

  set lang(value: Lang) {
    this.#lang = value;
    document.documentElement.lang = this.htmlLang;
    try {
      localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // not remembered, still switched
    }
  }

  get htmlLang(): string {
    return this.#lang === 'zh' ? 'zh-CN' : 'en';
  }

  /** BCP 47 locale for number formatting. */
  get locale(): string {
    return this.#lang === 'zh' ? 'zh-CN' : 'en-GB';
  }

  toggle(): void {
    this.lang = this.#lang === 'zh' ? 'en' : 'zh';
  }

  /** The text for `key` with `{name}` placeholders filled from `vars`. */
  t(key: Key, vars?: Record<string, string | number>): string {
    const text = dictionaries[this.#lang][key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  }

  /** Whether `key` is a message (for keys made from data, such as a rule's kind). */
  has(key: string): key is Key {
    return key in zh;
  }

  /** A name given in both languages by the API (categories), in the current one. */
  name(item: { zh: string; en: string }): string {
    return this.#lang === 'zh' ? item.zh : item.en;
  }

  /** A count with the locale's digit grouping. */
  int(n: number | null | undefined): string {
    return n === null || n === undefined ? '—' : Math.round(n).toLocaleString(this.locale);
  }
}

export type { Key as MessageKey };
export const i18n = new I18n();
export const t = (key: Key, vars?: Record<string, string | number>): string => i18n.t(key, vars);
