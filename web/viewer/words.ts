/**
 * The viewer's text in Chinese and English: the app's own messages (web/src/lib/messages.ts, shared so
 * the two cannot drift apart) and the viewer's own `viewer.*` and `file.*` keys. Plain data and
 * functions: no DOM, safe on the server, which renders the page's first text.
 */
import { en as appEn, zh as appZh, type Lang } from '../src/lib/messages.ts';

export type { Lang };

const zh = {
  ...appZh,
  'viewer.published': '发布于 {date}',
  'viewer.scenario': '方案：{name}',
  'viewer.view': '步行到{category}：{tier} 分钟生活圈，按{speed}步速 {m} 米/分',
  'viewer.hint': '点击地图上的网格查看详情',
  'viewer.coverage': '{tier} 分钟内可步行到达{category}',
  'viewer.beyondReach': '超出步行范围',
  'viewer.noMap': '此浏览器无法显示地图（需要 WebGL2）。图例、数据与报告见右侧。',
  'viewer.downloads': '下载数据与报告',
  'file.cells.geojson': '网格：居民、老年人与步行距离',
  'file.communities.geojson': '街道/社区边界与覆盖',
  'file.joints.geojson': '联合社区',
  'file.facilities.geojson': '设施站点',
  'file.walksheds.geojson': '设施步行范围',
  'file.gaps.geojson': '覆盖缺口片区',
  'file.cells.csv': '网格表',
  'file.communities.csv': '街道/社区表',
  'file.coverage.csv': '覆盖统计（全部类别、生活圈与步速）',
  'file.facilities.csv': '设施站点表',
  'file.snapshot.json': '快照全部数据（JSON）',
  'file.ATTRIBUTION.txt': '数据来源与许可',
  'file.cells.parquet': '网格表（Parquet）',
  'file.map.png': '地图图片',
  'file.report.pdf': '报告（PDF）',
  'file.report.html': '报告（网页）',
};

export type WordKey = keyof typeof zh;

const en: Record<WordKey, string> = {
  ...appEn,
  'viewer.published': 'Published {date}',
  'viewer.scenario': 'Scenario: {name}',
  'viewer.view': 'Walking to {category}: the {tier}-minute life circle at the {speed} pace of {m} m/min',
  'viewer.hint': 'Click a cell on the map for its figures',
  'viewer.coverage': 'Within {tier} min of {category}',
  'viewer.beyondReach': 'beyond reach',
  'viewer.noMap': 'This browser cannot show the map (it needs WebGL2). The legend, data and report are on the right.',
  'viewer.downloads': 'Data and report',
  'file.cells.geojson': 'Cells: residents, elderly and walking distances',
  'file.communities.geojson': 'Community boundaries and coverage',
  'file.joints.geojson': 'Joint communities',
  'file.facilities.geojson': 'Facilities',
  'file.walksheds.geojson': 'Facility walksheds',
  'file.gaps.geojson': 'Coverage gap clusters',
  'file.cells.csv': 'Cells table',
  'file.communities.csv': 'Communities table',
  'file.coverage.csv': 'Coverage (every category, tier and speed)',
  'file.facilities.csv': 'Stations table',
  'file.snapshot.json': 'The whole snapshot (JSON)',
  'file.ATTRIBUTION.txt': 'Data sources and licences',
  'file.cells.parquet': 'Cells table (Parquet)',
  'file.map.png': 'Map image',
  'file.report.pdf': 'Report (PDF)',
  'file.report.html': 'Report (web page)',
};


const dictionaries: Record<Lang, Record<WordKey, string>> = { zh, en };

/** The words of one language, with the formatting the app uses for it. */
export interface Words {
  lang: Lang;
  /** `<html lang>`. */
  htmlLang: string;
  /** The text for `key` with `{name}` placeholders filled from `vars`. */
  t(key: WordKey, vars?: Record<string, string | number>): string;
  /** A category's (or anything's) name given in both languages. */
  name(item: { zh: string; en: string }): string;
  /** A count with the locale's digit grouping. */
  int(n: number): string;
  /** A date (ISO 8601) as a day in China's one time zone (GB 50180's life circles are China's). */
  date(iso: string): string;
}

export function words(lang: Lang): Words {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  const dict = dictionaries[lang];
  return {
    lang,
    htmlLang: lang === 'zh' ? 'zh-CN' : 'en',
    t: (key, vars) => (vars ? dict[key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : dict[key]),
    name: (item) => (lang === 'zh' ? item.zh : item.en),
    int: (n) => Math.round(n).toLocaleString(locale),
    date: (iso) => new Date(iso).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Asia/Shanghai' }),
  };
}
