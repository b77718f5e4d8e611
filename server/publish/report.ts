/**
 * The report of a published map as a list of blocks (title, facts, headings, paragraphs, tables, the
 * map, notes), built from the snapshot alone. The PDF (report-pdf.ts) and the printable page
 * (report-html.ts) both draw these blocks and format nothing themselves, so they cannot disagree.
 * Chinese first, English beside it; the title and every name are the user's own text.
 */
import { flatten, pointInMultiPolygon, type FlatMultiPolygon } from '../core/polygon.ts';
import type { CoverageFigure, SnapshotData, SnapshotFinding, SnapshotJoint, Speed } from './types.ts';

/** A table: header rows (cells may span columns), then body rows of plain text. */
export interface Table {
  /** Header rows, top first. Text lines break at '\n'. */
  header: Array<Array<{ text: string; span?: number }>>;
  /** Per column: figures align right (and never wrap), text aligns left and wraps. */
  align: Array<'left' | 'right'>;
  rows: string[][];
  /**
   * The first `group` columns name a group of rows and are blank on its later rows; a renderer
   * repeats the names when a page break falls inside a group and draws a rule between groups.
   */
  group?: number;
}

/**
 * One piece of the report. Every text is plain (a renderer escapes it); '\n' breaks a line, and a
 * bilingual paragraph gives the Chinese on its first line, the English on the next.
 */
export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'facts'; items: Array<{ label: string; value: string }> }
  | { kind: 'heading'; level: 1 | 2; zh: string; en: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'map'; caption: string }
  | { kind: 'table'; table: Table };

/** Gap clusters listed in full; the rest are counted. */
export const TOP_GAPS = 20;

/** A whole count with thousands separators, the same in every locale: 1234567.4 → "1,234,567". */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const sign = Math.round(n) < 0 ? '-' : '';
  return sign + s.replace(/\B(?=(\d{3})+$)/g, ',');
}

/** A share as a percentage with one decimal: (368, 1000) → "36.8%"; "–" without people. */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}

/** ISO 8601 → "2026-12-02 07:11 UTC" (the report is read far from the server's time zone). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

const SPEED_NAME: Record<Speed, [string, string]> = { general: ['一般步速', 'general speed'], elderly: ['老年人步速', 'elderly speed'] };
const SPEEDS: Speed[] = ['general', 'elderly'];
const LABELS: Record<string, string> = {
  P: '官方原文 official text',
  S: '二手摘要 secondary summary',
  L: '地方规定 local rule',
  D: '推算 derived by arithmetic',
  C: '推测 conjecture',
};
/** Names in Chinese dictionary order, numbers by value (站点2 before 站点10). */
const collator = new Intl.Collator('zh-CN', { numeric: true });
const byName = (a: string, b: string) => collator.compare(a, b);
const lonLat = (lon: number, lat: number) => `${lon.toFixed(4)}, ${lat.toFixed(4)}`;

/**
 * The report's blocks for a snapshot, in reading order.
 * @example reportBlocks(snapshot).filter((b) => b.kind === 'table')
 */
export function reportBlocks(s: SnapshotData): Block[] {
  const words = new Words(s);
  return [
    ...head(s, words),
    ...cityCoverage(s, words),
    ...communities(s, words),
    ...joints(s, words),
    ...gaps(s, words),
    ...stations(s, words),
    ...compliance(s, words),
    ...attribution(s),
  ];
}

/** Names of categories and speeds, and the communities that hold a point. */
class Words {
  private readonly shapes: Array<{ name: string; fp: FlatMultiPolygon }>;
  constructor(private readonly s: SnapshotData) {
    this.shapes = s.communities.map((c) => ({ name: c.name, fp: flatten(c.geometry) }));
  }
  category(id: string): string {
    const c = this.s.categories.find((k) => k.id === id);
    return c ? `${c.zh} ${c.en}` : id;
  }
  categoryZh(id: string): string {
    return this.s.categories.find((k) => k.id === id)?.zh ?? id;
  }
  speed(speed: Speed): string {
    const [zh, en] = SPEED_NAME[speed];
    return `${zh} ${en} ${this.s.city.speeds[speed]} m/min`;
  }
  /** "养老服务 Elderly care · 15 分钟 min · 老年人步速 elderly speed 50 m/min" */
  view(): string {
    const { view } = this.s;
    return `${this.category(view.category)} · ${view.tier} 分钟 min · ${this.speed(view.speed)}`;
  }
  /** The community a point lies in, "–" outside all of them. */
  communityAt(lon: number, lat: number): string {
    return this.shapes.find((c) => pointInMultiPolygon(c.fp, lon, lat))?.name ?? '–';
  }
}

function head(s: SnapshotData, words: Words): Block[] {
  const scenario = s.scenario ? `${s.scenario.name}（第 ${s.scenario.version} 版 version ${s.scenario.version}）` : '现状 baseline';
  const blocks: Block[] = [{ kind: 'title', text: s.title }];
  if (s.description.trim()) blocks.push({ kind: 'paragraph', text: s.description });
  blocks.push(
    {
      kind: 'facts',
      items: [
        { label: '发布时间 Published', value: formatDate(s.publishedAt) },
        { label: '方案 Scenario', value: scenario },
        { label: '地图 View', value: words.view() },
        { label: '规范 Standards', value: s.profile },
        { label: '城市 City', value: `${s.city.name} · H3 ${s.city.resolution} 级 resolution ${s.city.resolution}` },
      ],
    },
    {
      kind: 'map',
      caption: `地图 Map：${words.view()}`,
    },
  );
  return blocks;
}

function cityCoverage(s: SnapshotData, words: Words): Block[] {
  const figure = new Map(s.coverage.map((f) => [`${f.category}|${f.tier}|${f.speed}`, f]));
  const total = s.coverage[0];
  const rows: string[][] = [];
  for (const c of s.categories) {
    s.city.tiers.forEach((tier, i) => {
      const cells = [i === 0 ? words.category(c.id) : '', `${tier}`];
      for (const speed of SPEEDS) {
        const f = figure.get(`${c.id}|${tier}|${speed}`);
        cells.push(...(f ? coverageCells(f) : ['–', '–', '–', '–']));
      }
      rows.push(cells);
    });
  }
  return [
    { kind: 'heading', level: 1, zh: '全市覆盖', en: 'City-wide coverage' },
    {
      kind: 'paragraph',
      text: total
        ? `全市居民 ${formatCount(total.residents)} 人，其中老年人 ${formatCount(total.elderly)} 人。下表为各类设施在各时长内步行可达的人数与比例。\n` +
          `${formatCount(total.residents)} residents, ${formatCount(total.elderly)} of them elderly. Residents and elderly within the walk of each category, by tier and walking speed.`
        : '无覆盖数据 · no coverage figures',
    },
    {
      kind: 'table',
      table: {
        header: [
          [{ text: '' }, { text: '' }, ...SPEEDS.map((sp) => ({ text: words.speed(sp), span: 4 }))],
          [{ text: '类别\nCategory' }, { text: '分钟\nMin' }, ...SPEEDS.flatMap(() => coverageHeader())],
        ],
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        rows,
        group: 1,
      },
    },
  ];
}

const coverageHeader = () => [{ text: '居民\nResidents' }, { text: '%' }, { text: '老年人\nElderly' }, { text: '%' }];
const coverageCells = (f: Pick<CoverageFigure, 'residents' | 'residentsCovered' | 'elderly' | 'elderlyCovered'>) => [
  formatCount(f.residentsCovered),
  formatShare(f.residentsCovered, f.residents),
  formatCount(f.elderlyCovered),
  formatShare(f.elderlyCovered, f.elderly),
];

const inView = (s: SnapshotData, coverage: CoverageFigure[]) =>
  coverage.find((f) => f.category === s.view.category && f.tier === s.view.tier && f.speed === s.view.speed);

function communities(s: SnapshotData, words: Words): Block[] {
  const rows = s.communities.map((c) => {
    const f = inView(s, c.coverage);
    const share = f && f.elderly > 0 ? f.elderlyCovered / f.elderly : null;
    return { c, f, share };
  });
  // The map weights gaps by the elderly, so the communities that leave the largest share of their
  // elderly outside the walk come first; equal shares put the one with more elderly first.
  rows.sort((a, b) => (a.share ?? 2) - (b.share ?? 2) || b.c.elderly - a.c.elderly || byName(a.c.name, b.c.name));
  return [
    { kind: 'heading', level: 1, zh: '各社区覆盖', en: 'Coverage per community' },
    {
      kind: 'paragraph',
      text: `${words.view()}。按老年人覆盖率从低到高排列；达标/未达标为规范各项的数量。\nSorted by the share of elderly covered, lowest first; pass / short count the rules of the standards profile.`,
    },
    {
      kind: 'table',
      table: {
        header: [[
          { text: '社区\nCommunity' }, { text: '居民\nResidents' }, { text: '老年人\nElderly' },
          { text: '居民覆盖\nResidents covered' }, { text: '老年人覆盖\nElderly covered' }, { text: '达标\nPass' }, { text: '未达标\nShort' },
        ]],
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        rows: rows.map(({ c, f }) => {
          const findings = c.compliance?.findings;
          return [
            c.name,
            formatCount(c.residents),
            formatCount(c.elderly),
            f ? formatShare(f.residentsCovered, f.residents) : '–',
            f ? formatShare(f.elderlyCovered, f.elderly) : '–',
            findings ? String(findings.filter((x) => x.pass).length) : '–',
            findings ? String(findings.filter((x) => !x.pass).length) : '–',
          ];
        }),
      },
    },
    { kind: 'note', text: '“–”：无人口数据，不检查规范 · no population figure, the rules are not checked.' },
  ];
}

/** A joint-community problem in words (the keys of core/joint.ts). */
function problem(p: SnapshotJoint['problems'][number]): string {
  const v = p.value === undefined ? '' : formatCount(p.value);
  const t = p.threshold === undefined ? '' : formatCount(p.threshold);
  switch (p.kind) {
    case 'residents_below':
      return `居民 ${v} 人，低于下限 ${t} · below the floor of ${t} residents`;
    case 'residents_above':
      return `居民 ${v} 人，超过上限 ${t} · above the cap of ${t} residents`;
    case 'not_contiguous':
      return '单元不连片 · not contiguous';
    case 'no_workstation_site':
      return '没有一处服务站能服务所有居民 · no single workstation site serves everyone';
    case 'unserved':
      return '现有服务站覆盖不到部分网格 · the workstations leave cells unserved';
    case 'crosses_boundary':
      return '跨越街道界线 · crosses sub-district lines';
    default:
      return p.kind;
  }
}

function joints(s: SnapshotData, words: Words): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 1, zh: '联合社区', en: 'Joint communities' }];
  if (!s.joints.length) return [...blocks, { kind: 'paragraph', text: '无 · none' }];
  blocks.push({ kind: 'paragraph', text: `覆盖按地图视图计算：${words.view()}\nCoverage at the map's view.` });
  blocks.push({
    kind: 'table',
    table: {
      header: [[
        { text: '联合社区\nJoint community' }, { text: '单元\nUnits' }, { text: '居民\nResidents' }, { text: '老年人\nElderly' },
        { text: '规则\nRule' }, { text: '问题\nProblems' }, { text: '居民覆盖\nResidents covered' }, { text: '老年人覆盖\nElderly covered' },
      ]],
      align: ['left', 'right', 'right', 'right', 'left', 'left', 'right', 'right'],
      rows: s.joints.map((j) => {
        const f = inView(s, j.coverage);
        return [
          j.name,
          String(j.units.length),
          formatCount(j.residents),
          formatCount(j.elderly),
          j.pass ? '达标 pass' : '未达标 short',
          j.problems.length ? j.problems.map(problem).join('\n') : '–',
          f ? formatShare(f.residentsCovered, f.residents) : '–',
          f ? formatShare(f.elderlyCovered, f.elderly) : '–',
        ];
      }),
    },
  });
  return blocks;
}

function gaps(s: SnapshotData, words: Words): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 1, zh: '缺口片区', en: 'Gap clusters' }];
  if (!s.gaps.length) return [...blocks, { kind: 'paragraph', text: '无 · none' }];
  const ranked = [...s.gaps].sort((a, b) => a.rank - b.rank);
  const shown = ranked.slice(0, TOP_GAPS);
  blocks.push({
    kind: 'paragraph',
    text:
      `${words.view()} 步行不可达的相连网格，按老年人数排序；共 ${s.gaps.length} 片，列出前 ${shown.length} 片。\n` +
      `Touching cells outside the walk, ranked by elderly: ${shown.length} of ${s.gaps.length} shown.`,
  });
  blocks.push({
    kind: 'table',
    table: {
      header: [[
        { text: '排名\nRank' }, { text: '老年人\nElderly' }, { text: '居民\nResidents' }, { text: '网格\nCells' },
        { text: '重心所在社区\nCentre in' }, { text: '经度, 纬度\nLon, lat' },
      ]],
      align: ['right', 'right', 'right', 'right', 'left', 'left'],
      rows: shown.map((g) => [String(g.rank), formatCount(g.elderly), formatCount(g.residents), formatCount(g.cells), words.communityAt(g.lon, g.lat), lonLat(g.lon, g.lat)]),
    },
  });
  return blocks;
}

function stations(s: SnapshotData, words: Words): Block[] {
  const order = new Map(s.categories.map((c, i) => [c.id, i]));
  const sorted = [...s.stations].sort((a, b) => (order.get(a.category) ?? 99) - (order.get(b.category) ?? 99) || byName(a.name, b.name));
  // A station the scenario added and then closed changes nothing on the ground: neither list shows it.
  const proposed = sorted.filter((x) => x.added && x.open);
  const closed = sorted.filter((x) => !x.added && !x.open);
  const table = (list: typeof sorted): Block => {
    let last = '';
    return {
      kind: 'table',
      table: {
        header: [[{ text: '类别\nCategory' }, { text: '名称\nName' }, { text: '容量\nCapacity' }, { text: '所在社区\nCommunity' }, { text: '经度, 纬度\nLon, lat' }]],
        align: ['left', 'left', 'right', 'left', 'left'],
        rows: list.map((x) => {
          const category = x.category === last ? '' : words.category(x.category);
          last = x.category;
          return [category, x.name || '（未命名 unnamed）', x.capacity === null ? '–' : formatCount(x.capacity), words.communityAt(x.lon, x.lat), lonLat(x.lon, x.lat)];
        }),
        group: 1,
      },
    };
  };
  return [
    { kind: 'heading', level: 1, zh: '新增与关闭的站点', en: 'Proposed and closed stations' },
    { kind: 'paragraph', text: `新增 ${proposed.length} 处，关闭 ${closed.length} 处 · ${proposed.length} proposed, ${closed.length} closed` },
    { kind: 'heading', level: 2, zh: '新增站点', en: 'Proposed stations' },
    proposed.length ? table(proposed) : { kind: 'paragraph', text: '无 · none' },
    { kind: 'heading', level: 2, zh: '关闭站点', en: 'Closed stations' },
    closed.length ? table(closed) : { kind: 'paragraph', text: '无 · none' },
  ];
}

/** Rules per compliance table: a rule id in a header takes about a fifth of the page. */
const RULES_PER_TABLE = 5;

interface Owner {
  name: string;
  findings: SnapshotFinding[];
  failed: number;
}

/** A finding's measure in words: "养老服务 5 分钟 min", then "老年人 elderly". */
function measure(f: SnapshotFinding, words: Words): string {
  const who = f.target === 'elderly' ? '老年人 elderly' : '居民 residents';
  return f.kind === 'facility_requirement' ? `${words.categoryZh(f.category)} ${f.tier} 分钟 min\n${who}` : `${words.categoryZh(f.category)} 供给 supply\n${who}`;
}
/** "养老服务 5 分钟" or "养老服务 供给": a matrix column's name. */
const columnName = (f: SnapshotFinding, words: Words) => `${words.categoryZh(f.category)} ${f.kind === 'facility_requirement' ? `${f.tier} 分钟` : '供给'}`;
const figureOf = (f: SnapshotFinding) =>
  f.kind === 'facility_requirement' ? (f.share === null ? '–' : formatShare(f.share, 1)) : f.value === null ? '–' : f.value.toFixed(1);
const required = (f: SnapshotFinding) => (f.kind === 'facility_requirement' ? `≥ ${formatShare(f.threshold, 1)}` : `≥ ${f.threshold}`);

/**
 * The failed findings of `owners`: first the rules they fall short of, once each with its source
 * and label, then a matrix of owners × those rules holding each failed figure (✓ where the owner
 * passes, blank where the rule does not apply to it). One matrix row per owner keeps Harbin's 78
 * communities on two pages instead of repeating the same source on 400 rows.
 */
function findingTables(owners: Owner[], ownerHeader: string, words: Words): Block[] {
  const rules = new Map<string, { f: SnapshotFinding; short: number }>();
  for (const o of owners) {
    for (const f of o.findings) {
      if (f.pass) continue;
      const r = rules.get(f.rule);
      if (r) r.short++;
      else rules.set(f.rule, { f, short: 1 });
    }
  }
  const blocks: Block[] = [
    {
      kind: 'table',
      table: {
        header: [[{ text: '规则\nRule' }, { text: '内容\nMeasure' }, { text: '要求\nRequired' }, { text: '出处\nSource' }, { text: '级别\nLabel' }, { text: '未达标\nShort' }]],
        align: ['left', 'left', 'right', 'left', 'right', 'right'],
        rows: [...rules.values()].map(({ f, short }) => [f.rule, measure(f, words), required(f), `${f.source.document}，${f.source.clause}`, f.source.label, String(short)]),
      },
    },
  ];
  const ids = [...rules.keys()];
  // as many tables as needed, equally wide: six rules make two of three, not five and one
  const size = Math.ceil(ids.length / Math.ceil(ids.length / RULES_PER_TABLE));
  for (let k = 0; k < ids.length; k += size) {
    const chunk = ids.slice(k, k + size);
    blocks.push({
      kind: 'table',
      table: {
        header: [[{ text: ownerHeader }, ...chunk.map((id) => ({ text: `${columnName(rules.get(id)!.f, words)}\n${id}\n${required(rules.get(id)!.f)}` }))]],
        align: ['left', ...chunk.map(() => 'right' as const)],
        rows: owners.map((o) => [
          o.name,
          ...chunk.map((id) => {
            const f = o.findings.find((x) => x.rule === id);
            return f === undefined ? '' : f.pass ? '✓' : figureOf(f);
          }),
        ]),
      },
    });
  }
  return blocks;
}

function compliance(s: SnapshotData, words: Words): Block[] {
  const checked = s.communities.filter((c) => c.compliance !== null);
  const short = checked
    .map((c) => ({ name: c.name, population: c.population ?? 0, findings: c.compliance!.findings, failed: c.compliance!.findings.filter((f) => !f.pass).length }))
    .filter((c) => c.failed > 0)
    // as the compliance panel lists them: most failed rules first, then the larger population
    .sort((a, b) => b.failed - a.failed || b.population - a.population);
  const unchecked = s.communities.length - checked.length;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, zh: '规范达标', en: 'Compliance' },
    {
      kind: 'paragraph',
      text:
        `按「${s.profile}」检查：${checked.length} 个社区中有 ${short.length} 个未达标` +
        (unchecked ? `；另有 ${unchecked} 个无人口数据，未检查` : '') +
        `。\n${short.length} of ${checked.length} communities fall short` +
        (unchecked ? `; ${unchecked} more have no population figure and are not checked.` : '.'),
    },
  ];
  if (short.length) {
    blocks.push(...findingTables(short, '社区\nCommunity', words));
  } else {
    blocks.push({ kind: 'paragraph', text: '全部达标 · every community passes' });
  }
  const joints = s.joints
    .map((j) => ({ name: j.name, findings: j.requirements, failed: j.requirements.filter((f) => !f.pass).length }))
    .filter((j) => j.failed > 0);
  if (joints.length) {
    blocks.push({ kind: 'heading', level: 2, zh: '联合社区未达标项', en: 'Joint communities falling short' });
    blocks.push(...findingTables(joints, '联合社区\nJoint community', words));
  }
  blocks.push({
    kind: 'note',
    text:
      '现状：要求类为步行可达人数的比例，供给类为规则自身单位的数值（如每 1,000 名老年人的床位）；✓ 达标，空白为不适用。级别：' +
      Object.entries(LABELS).map(([k, v]) => `${k} ${v}`).join('；') +
      '。\nFigures: a requirement is the share within the walk, a supply norm the amount in the rule\'s own unit (e.g. beds per 1,000 elderly); ✓ passes, blank does not apply.',
  });
  return blocks;
}

function attribution(s: SnapshotData): Block[] {
  return [
    { kind: 'heading', level: 1, zh: '数据来源', en: 'Data attribution' },
    ...s.attribution.map((text): Block => ({ kind: 'paragraph', text })),
    { kind: 'paragraph', text: '字体：文泉驿微米黑，Apache-2.0 或 GPL-3.0+（附字体例外）· Font: WenQuanYi Micro Hei, Apache-2.0 or GPL-3+ with font exception' },
  ];
}
