/**
 * The report of a published map, read back by independent readers: Debian's poppler tools for the
 * PDF (pdftoppm renders it, pdftotext extracts its text, pdffonts and pdfimages list what it embeds)
 * and Chromium for the printable page. The snapshot is made here by hand, so every expected string
 * below is written out, not computed by the code under test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/harness.ts';
import { reportHtml } from '../server/publish/report-html.ts';
import { reportPdf } from '../server/publish/report-pdf.ts';
import type { CoverageFigure, SnapshotCommunity, SnapshotData, SnapshotFinding, SnapshotGap, Speed } from '../server/publish/types.ts';

const SCRIPT = '<script>alert(1)</script>';
const QUOTES = `方案 "A" 'b' & <c>`;
const TITLE = '哈尔滨市 养老服务 15 分钟覆盖报告';

const square = (x: number, y: number): number[][][][] => [[[[x, y], [x + 0.02, y], [x + 0.02, y + 0.02], [x, y + 0.02], [x, y]]]];
const figure = (category: string, tier: number, speed: Speed, residents: number, residentsCovered: number, elderly: number, elderlyCovered: number): CoverageFigure => ({
  category, tier, speed, residents, residentsCovered, elderly, elderlyCovered,
});
const source = (document: string, clause: string, label: string) => ({ document, clause, label });
const requirement = (rule: string, category: string, tier: number, share: number, pass: boolean): SnapshotFinding => ({
  rule, kind: 'facility_requirement', category, tier, target: 'elderly', share, value: null, threshold: 1, perCount: null, pass,
  source: source('GB 50180-2018 城市居住区规划设计标准', `${tier}-minute life circle facilities`, 'S'),
});
const beds = (value: number, pass: boolean): SnapshotFinding => ({
  rule: 'supply.nursing_beds', kind: 'supply_norm', category: 'elderly_care', tier: null, target: 'elderly', share: null, value, threshold: 40, perCount: 1000, pass,
  source: source('GB 50437 城镇老年人设施规划规范', '3.2.1', 'P'),
});
function community(id: string, name: string, x: number, residents: number, elderly: number, covered: [number, number], findings: SnapshotFinding[] | null): SnapshotCommunity {
  return {
    id, name, population: findings ? residents : null, residents, elderly, label: [x + 0.01, 45.71], geometry: square(x, 45.7),
    coverage: [figure('elderly_care', 15, 'elderly', residents, covered[0], elderly, covered[1])],
    compliance: findings && { position: 'within', tierMinutes: 15, governingMinutes: 15, pass: findings.every((f) => f.pass), findings },
  };
}

/**
 * Harbin-like figures chosen by hand: 1,234,567 residents, 271,234 of them elderly; three
 * communities (one without a population figure); one joint community; 22 gap clusters; one
 * proposed station named like a script and one closed station; the scenario's name has quotes.
 */
function fixture(): SnapshotData {
  const R = 1_234_567;
  const E = 271_234;
  const gaps: SnapshotGap[] = Array.from({ length: 22 }, (_, i) => ({
    rank: i + 1, cells: 30 - i, residents: 4 * (2000 - i), elderly: 2000 - i,
    lon: i === 0 ? 126.61 : 126.63, lat: 45.71, geometry: square(126.61, 45.7),
  }));
  return {
    format: 'lifecircle-snapshot/1',
    name: 'test-report',
    title: TITLE,
    description: '三处新增养老驿站的效果',
    publishedAt: '2026-03-04T05:06:07.000Z',
    scenario: { id: 'plan', name: QUOTES, version: 3 },
    view: { category: 'elderly_care', tier: 15, speed: 'elderly', weight: 'elderly' },
    city: { name: 'harbin.osm.pbf', bbox: [126.6, 45.7, 126.66, 45.72], resolution: 10, speeds: { general: 67, elderly: 50 }, tiers: [5, 15], reachM: null },
    attribution: ['© OpenStreetMap contributors', 'OpenStreetMap data: Open Database License (ODbL) 1.0'],
    profile: 'Default: GB 50180-2018 life circles',
    categories: [{ id: 'elderly_care', zh: '养老服务', en: 'Elderly care' }, { id: 'health', zh: '医疗卫生', en: 'Health' }],
    cells: { resolution: 10, h3: [], lon: [], lat: [], residents: [], elderly: [], distM: {} },
    coverage: [
      figure('elderly_care', 5, 'general', R, 123_457, E, 23_456),
      figure('elderly_care', 5, 'elderly', R, 98_765, E, 12_345.6),
      figure('elderly_care', 15, 'general', R, 454_321, E, 99_876),
      figure('elderly_care', 15, 'elderly', R, 345_678, E, 76_543),
      figure('health', 5, 'general', R, 200_000, E, 40_000),
      figure('health', 5, 'elderly', R, 150_000, E, 30_000),
      figure('health', 15, 'general', R, 1_100_000, E, 250_000),
      figure('health', 15, 'elderly', R, 999_999, E, 222_222),
    ],
    communities: [
      community('c1', '南岗街道', 126.6, 60_000, 13_000, [30_000, 6_500], [requirement('require.elderly_care.5', 'elderly_care', 5, 0.4567, false), beds(12.5, false), requirement('require.health.15', 'health', 15, 1, true)]),
      community('c2', '道外街道', 126.62, 40_000, 9_000, [4_000, 900], [requirement('require.elderly_care.5', 'elderly_care', 5, 1, true), beds(41, true)]),
      community('c3', '松北新区', 126.64, 0, 0, [0, 0], null),
    ],
    joints: [{
      id: 'j1', name: '联合社区 一', units: ['u1', 'u2'], residents: 4_321, elderly: 987, pass: false,
      problems: [{ kind: 'residents_below', value: 4_321, threshold: 5_000 }], workstations: [], site: null,
      label: [126.61, 45.71], geometry: square(126.6, 45.7),
      coverage: [figure('elderly_care', 15, 'elderly', 4_321, 2_160.5, 987, 493.5)],
      requirements: [requirement('require.elderly_care.5', 'elderly_care', 5, 0.25, false)],
    }],
    stations: [
      { id: 's1', name: '老年服务中心', category: 'elderly_care', lon: 126.61, lat: 45.71, capacity: null, open: true, added: false },
      { id: 'new-1', name: SCRIPT, category: 'elderly_care', lon: 126.63, lat: 45.71, capacity: 30, open: true, added: true },
      { id: 's2', name: '旧卫生站', category: 'health', lon: 126.65, lat: 45.71, capacity: null, open: false, added: false },
    ],
    gaps,
    walksheds: [],
  };
}

/** The city-wide figures of the fixture, row by row (category × tier), as the report must print them. */
const COVERAGE_ROWS = [
  ['123,457', '10.0%', '23,456', '8.6%', '98,765', '8.0%', '12,346', '4.6%'],
  ['454,321', '36.8%', '99,876', '36.8%', '345,678', '28.0%', '76,543', '28.2%'],
  ['200,000', '16.2%', '40,000', '14.7%', '150,000', '12.2%', '30,000', '11.1%'],
  ['1,100,000', '89.1%', '250,000', '92.2%', '999,999', '81.0%', '222,222', '81.9%'],
];

/** A small map: the report only scales and embeds it. */
function mapPng(): Buffer {
  const canvas = createCanvas(400, 300);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#e8e4dc';
  ctx.fillRect(0, 0, 400, 300);
  ctx.fillStyle = '#a6216b';
  ctx.fillRect(100, 80, 200, 140);
  return canvas.encodeSync('png');
}

function run(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every thousands-separated count and one-decimal percentage. */
const figures = (text: string) => text.match(/\d{1,3}(?:,\d{3})+|\d+\.\d%/g) ?? [];

let dir: string;
let pdfPath: string;
/** pdftotext -layout: lines as on the page, for rows of tables. */
let pdfText: string;
/** pdftotext -raw with whitespace collapsed: text in drawing order, so a wrapped cell reads as one phrase. */
let pdfPhrases: string;
let html: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifecircle-report-'));
  pdfPath = join(dir, 'report.pdf');
  writeFileSync(pdfPath, await reportPdf(fixture(), mapPng()));
  pdfText = run('pdftotext', ['-layout', pdfPath, '-']).stdout;
  pdfPhrases = run('pdftotext', ['-raw', pdfPath, '-']).stdout.replace(/\s+/g, ' ');
  html = reportHtml(fixture());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the PDF report', () => {
  it('is an A4 document that poppler renders to an image', () => {
    const info = run('pdfinfo', [pdfPath]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    const r = run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', pdfPath, join(dir, 'page')]);
    expect(r.code).toBe(0);
    const png = readFileSync(join(dir, 'page-1.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // 595.28 × 841.89 pt at 50 dpi, rounded up
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([414, 585]);
  });

  it('embeds WenQuanYi Micro Hei as a subset with a ToUnicode map, and the map as one image', () => {
    const fonts = run('pdffonts', [pdfPath]).stdout.trim().split('\n').slice(2);
    expect(fonts).toHaveLength(1);
    expect(fonts[0]).toMatch(/^[A-Z]{6}\+WenQuanYiMicroHei\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s/);
    const images = run('pdfimages', ['-list', pdfPath]).stdout.trim().split('\n').slice(2);
    expect(images).toHaveLength(1);
    expect(images[0].split(/\s+/).slice(3, 6)).toEqual(['image', '400', '300']);
  });

  it('gives back the Chinese title, the date, the scenario and the view as text', () => {
    expect(pdfText).toContain(TITLE);
    expect(pdfText).toContain('2026-03-04 05:06 UTC');
    expect(pdfText).toContain(`${QUOTES}（第 3 版 version 3）`);
    expect(pdfText).toContain('养老服务 Elderly care · 15 分钟 min · 老年人步速 elderly speed 50 m/min');
    expect(pdfText).toContain('全市居民 1,234,567 人，其中老年人 271,234 人');
  });

  it('prints every city-wide coverage figure in its row, in column order', () => {
    const lines = pdfText.split('\n');
    for (const row of COVERAGE_ROWS) {
      const line = lines.find((l) => l.includes(` ${row[0]} `));
      expect(line, row[0]).toBeDefined();
      expect(figures(line!)).toEqual(row);
    }
  });

  it('writes names with markup and quotes as they are', () => {
    expect(pdfText).toContain(SCRIPT);
    expect(pdfText).toContain(QUOTES);
  });

  it('lists communities by elderly coverage, lowest first, the one without population last', () => {
    const section = pdfText.slice(pdfText.indexOf('各社区覆盖'), pdfText.indexOf('联合社区'));
    const order = ['道外街道', '南岗街道', '松北新区'].map((n) => section.indexOf(n));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const line = (name: string) => section.split('\n').find((l) => l.includes(name))!.trim().split(/\s{2,}/);
    expect(line('道外街道')).toEqual(['道外街道', '40,000', '9,000', '10.0%', '10.0%', '2', '0']);
    expect(line('松北新区')).toEqual(['松北新区', '0', '0', '–', '–', '–', '–']);
  });

  it('shows the joint community with its problem and coverage, and the top 20 of 22 gap clusters', () => {
    expect(pdfText).toMatch(/联合社区 一\s+2\s+4,321\s+987\s+未达标 short\s+居民 4,321 人，低于下限 5,000.*\s50\.0%\s+50\.0%\n/);
    expect(pdfPhrases).toContain('居民 4,321 人，低于下限 5,000 · below the floor of 5,000 residents');
    expect(pdfText).toContain('共 22 片，列出前 20 片');
    expect(pdfText).toMatch(/\b1\s+2,000\s+8,000\s+30\s+南岗街道\s+126\.6100, 45\.7100/);
    expect(pdfText).toMatch(/\b20\s+1,981\s+7,924\s+11\s+道外街道/);
    expect(pdfText).not.toContain('1,980');
  });

  it('lists the proposed and the closed stations with their category', () => {
    expect(pdfText).toContain('新增 1 处，关闭 1 处 · 1 proposed, 1 closed');
    expect(pdfText).toMatch(/养老服务 Elderly care\s+<script>alert\(1\)<\/script>\s+30\s+道外街道/);
    expect(pdfText).toMatch(/医疗卫生 Health\s+旧卫生站\s+–\s+松北新区/);
  });

  it('gives the compliance summary and each failed finding with its figure, threshold and source', () => {
    expect(pdfPhrases).toContain('1 of 2 communities fall short; 1 more have no population figure');
    const rule = (id: string) => pdfText.split('\n').find((l) => l.trim().startsWith(id))!.trim().split(/\s{2,}/);
    expect(rule('require.elderly_care.5')).toEqual(['require.elderly_care.5', '养老服务 5 分钟 min', '≥ 100.0%', expect.stringMatching(/^GB 50180-2018 城市居住区规划设计标准，5-minute/), 'S', '1']);
    expect(rule('supply.nursing_beds')).toEqual(['supply.nursing_beds', '养老服务 供给 supply', '≥ 40', 'GB 50437 城镇老年人设施规划规范，3.2.1', 'P', '1']);
    expect(pdfPhrases).toContain('GB 50180-2018 城市居住区规划设计标准，5-minute life circle facilities');
    // the matrix: 南岗街道 fails both rules (45.7 %, 12.5 beds); the joint community 25.0 %
    expect(pdfText).toMatch(/南岗街道\s+45\.7%\s+12\.5/);
    expect(pdfText).toMatch(/联合社区 一\s+25\.0%/);
    expect(pdfPhrases).toContain('P 官方原文 official text；S 二手摘要 secondary summary；L 地方规定 local rule；D 推算 derived by arithmetic；C 推测 conjecture');
  });

  it('credits OpenStreetMap and the font', () => {
    expect(pdfText).toContain('© OpenStreetMap contributors');
    expect(pdfText).toContain('OpenStreetMap data: Open Database License (ODbL) 1.0');
    expect(pdfPhrases).toContain('Font: WenQuanYi Micro Hei, Apache-2.0 or GPL-3+ with font exception');
  });

  it('breaks a long table across pages with its header repeated, and numbers every page', async () => {
    const s = fixture();
    s.communities = Array.from({ length: 90 }, (_, i) =>
      community(`c${i}`, `测试第${i + 1}街道`, 126.6, 10_000 + i, 2_000 + i, [i * 10, i], [requirement('require.elderly_care.5', 'elderly_care', 5, 0.5, false)]),
    );
    const path = join(dir, 'long.pdf');
    writeFileSync(path, await reportPdf(s, mapPng()));
    const pages = run('pdftotext', ['-layout', path, '-']).stdout.split('\f').slice(0, -1);
    expect(pages.length).toBeGreaterThan(3);
    const withRows = pages.filter((p) => /测试第\d+街道\s+10,0\d\d/.test(p));
    expect(withRows.length).toBeGreaterThanOrEqual(2);
    for (const p of withRows) expect(p).toMatch(/社区\s+居民\s+老年人\s+居民覆盖\s+老年人覆盖\s+达标\s+未达标/);
    pages.forEach((p, i) => expect(p).toContain(`第 ${i + 1} / ${pages.length} 页 · Page ${i + 1} of ${pages.length}`));
    // every community once in the coverage table (names are unique: 测试第1街道 … 测试第90街道)
    const all = pages.join('');
    const coverage = all.slice(all.indexOf('各社区覆盖'), all.indexOf('联合社区 Joint communities'));
    for (let i = 1; i <= 90; i++) expect(coverage.match(new RegExp(`测试第${i}街道\\s`, 'g'))?.length, `测试第${i}街道`).toBe(1);
  });

  it('gives the same bytes for the same snapshot', async () => {
    const a = await reportPdf(fixture(), mapPng());
    const b = await reportPdf(fixture(), mapPng());
    expect(a.equals(b)).toBe(true);
  });

  it('refuses a map that is not a PNG', async () => {
    await expect(reportPdf(fixture(), Buffer.from('GIF89a not a png at all'))).rejects.toThrow('report: the map is not a PNG');
  });
});

describe('the printable page', () => {
  it('holds no script and shows names only escaped', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('方案 &quot;A&quot; &#39;b&#39; &amp; &lt;c&gt;');
    expect(html).not.toContain(QUOTES);
    expect(html).toContain('<img src="map.png" alt="');
    expect(html).toContain(`<title>${TITLE}</title>`);
  });

  it('escapes the map file name too', () => {
    expect(reportHtml(fixture(), 'a"b.png')).toContain('<img src="a&quot;b.png"');
  });

  it('says none for a baseline without joint communities, proposals or closures', () => {
    const s = fixture();
    s.scenario = null;
    s.joints = [];
    s.stations = s.stations.filter((x) => !x.added && x.open);
    const page = reportHtml(s);
    expect(page).toContain('<dd>现状 baseline</dd>');
    expect(page).toMatch(/<h2>联合社区 <span class="en">Joint communities<\/span><\/h2>\n<p>无 · none<\/p>/);
    expect(page).toMatch(/<h3>新增站点 <span class="en">Proposed stations<\/span><\/h3>\n<p>无 · none<\/p>/);
    expect(page).toMatch(/<h3>关闭站点 <span class="en">Closed stations<\/span><\/h3>\n<p>无 · none<\/p>/);
  });

  it('in Chromium runs nothing, loads the map and shows the same figures as the PDF', async () => {
    const page = join(dir, 'site');
    mkdirSync(page);
    writeFileSync(join(page, 'report.html'), html);
    writeFileSync(join(page, 'map.png'), mapPng());
    const chrome = await launchChromium();
    try {
      const tab = await chrome.browser.newPage();
      const dialogs: string[] = [];
      tab.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await tab.goto(`file://${join(page, 'report.html')}`);
      const seen = await tab.evaluate(() => ({
        text: document.body.innerText,
        scripts: document.querySelectorAll('script').length,
        mapWidth: (document.querySelector('img') as HTMLImageElement).naturalWidth,
      }));
      expect(dialogs).toEqual([]);
      expect(seen.scripts).toBe(0);
      expect(seen.mapWidth).toBe(400);
      expect(seen.text).toContain(SCRIPT);
      expect(seen.text).toContain(QUOTES);
      expect(seen.text).toContain(TITLE);
      for (const row of COVERAGE_ROWS) for (const f of row) expect(seen.text).toContain(f);
      // the same counts and shares, as many times each (the PDF's wrapped cells change the order)
      expect(figures(seen.text).sort()).toEqual(figures(pdfText).sort());
    } finally {
      await chrome.close();
    }
  });
});
