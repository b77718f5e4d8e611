/**
 * The exported folder of a published map in a real browser: Harbin built and snapshotted (the
 * baseline, community service stations at 15 minutes of the elderly's walk), the viewer's files
 * written into a temp folder, opened in Debian's Chromium from file:// with every other request
 * blocked. A community, a station and the title carry names that look like HTML.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { booleanPointInPolygon, multiPolygon, point } from '@turf/turf';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../scripts/harness.ts';
import { VIEWER_ROOT } from '../server/config.ts';
import { CityContext } from '../server/context.ts';
import { BasemapTiles } from '../server/core/tiles.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { readCity } from '../server/db/read.ts';
import { buildSnapshot } from '../server/publish/snapshot.ts';
import type { SnapshotData } from '../server/publish/types.ts';
import { viewerFiles } from '../server/publish/viewer.ts';
import { ScenarioModel } from '../server/scenario.ts';
import { buildHarbin } from './helpers/harbin.ts';
import { zhInt } from './helpers/browser.ts';
import { GAP, RAMP } from '../web/src/lib/palette.ts';
import { idle, pixels } from './helpers/page.ts';

const XSS = '<script>alert(1)</script>';
/** innerHTML runs no script element, but it does run this: for the text the page renders again on a language change. */
const IMG = '<img src=x onerror=alert(2)>';
/** The downloads the page must link to, by the names the publisher writes. */
const DOWNLOADS = 'cells.geojson communities.geojson joints.geojson facilities.geojson walksheds.geojson gaps.geojson cells.csv communities.csv coverage.csv facilities.csv cells.parquet map.png report.pdf report.html snapshot.json ATTRIBUTION.txt'.split(' ');

interface Hook {
  __lifecircle: {
    ready: Promise<void>;
    map: {
      jumpTo(o: { center: [number, number]; zoom: number }): void;
      project(p: [number, number]): { x: number; y: number };
      querySourceFeatures(source: string, o: { sourceLayer: string }): unknown[];
    };
  };
}

let dir: string;
let s: SnapshotData;
let files: Record<string, string | Uint8Array>;
let closeBrowser: () => Promise<void>;
let context: BrowserContext;
let page: Page;
/** Every URL the page and its workers asked for; page errors, console errors and dialogs. */
const requested: string[] = [];
const problems: string[] = [];
const dialogs: string[] = [];
/** The clicked cell and the station renamed to XSS (indices into the snapshot). */
let cell: number;
let station: number;

/** Metres between two points, near enough for "is another station close by". */
const metres = (a: [number, number], b: [number, number]) =>
  Math.hypot((a[0] - b[0]) * 111_320 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110_574);

/** A colour drawn at alpha over the basemap's background (#f5f4f1), as the cells' premultiplied blend makes it. */
const over = (hex: string, alpha = 0.66) => {
  const bg = [0xf5, 0xf4, 0xf1];
  return `#${[1, 3, 5].map((i, k) => Math.round(alpha * parseInt(hex.slice(i, i + 2), 16) + (1 - alpha) * bg[k]).toString(16).padStart(2, '0')).join('')}`;
};

/** The share of pixels (RGB triples) within `tol` (summed over R, G, B) of `hex`. */
const share = (rgb: number[], hex: string, tol = 40) => {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (Math.abs(rgb[i] - want[0]) + Math.abs(rgb[i + 1] - want[1]) + Math.abs(rgb[i + 2] - want[2]) <= tol) n++;
  return n / (rgb.length / 3);
};

async function clickAt(lonLat: [number, number]) {
  await page.evaluate(([lon, lat]) => (window as unknown as Hook).__lifecircle.map.jumpTo({ center: [lon, lat], zoom: 15 }), lonLat);
  await idle(page);
  const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
  const at = await page.evaluate((p) => (window as unknown as Hook).__lifecircle.map.project(p), lonLat);
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

/**
 * Pick the cell to click (the most populous one the view's stations reach, none within 300 m, so the
 * click lands on the cell) and give its community and a lone station (none other within 200 m)
 * names that look like HTML.
 */
function nameLikeHtml(snapshot: SnapshotData) {
  const d = snapshot.cells.distM[snapshot.view.category];
  const mine = snapshot.stations.filter((st) => st.category === snapshot.view.category);
  const { lon, lat, residents } = snapshot.cells;
  cell = -1;
  for (let i = 0; i < lon.length; i++) {
    const clear = d[i] !== null && d[i]! > 300 && !mine.some((st) => metres([st.lon, st.lat], [lon[i], lat[i]]) < 300);
    if (clear && residents[i] > 100 && (cell < 0 || residents[i] > residents[cell])) cell = i;
  }
  const at = point([lon[cell], lat[cell]]);
  snapshot.communities.find((c) => booleanPointInPolygon(at, multiPolygon(c.geometry)))!.name = XSS;
  station = snapshot.stations.findIndex((st) => st.category === snapshot.view.category && !mine.some((o) => o !== st && metres([o.lon, o.lat], [st.lon, st.lat]) < 200));
  snapshot.stations[station].name = XSS;
}

beforeAll(async () => {
  if (!existsSync(join(VIEWER_ROOT, 'viewer.js'))) throw new Error('dist/viewer is missing: npm test builds it (vite build --mode viewer) before vitest');
  const h = await buildHarbin();
  try {
    const city = new CityContext(await readCity(h.db.conn));
    const view = { category: 'community_service', tier: 15, speed: 'elderly' as const };
    s = buildSnapshot(city, new ScenarioModel(city), null, { name: 'harbin-service', title: `哈尔滨 社区服务 ${XSS} </script> & "引号"`, description: `${XSS} ${IMG}`, view });
    nameLikeHtml(s);
    files = viewerFiles(s, new BasemapTiles(await readBasemap(h.db.conn)));
  } finally {
    h.dispose();
  }

  dir = mkdtempSync(join(tmpdir(), 'lifecircle-export-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);

  const chrome = await launchChromium();
  closeBrowser = chrome.close;
  context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  context.on('request', (r) => requested.push(r.url()));
  await context.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`file://${join(dir, 'index.html')}`);
  await page.evaluate(() => (window as unknown as Hook).__lifecircle.ready);
  await idle(page);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await closeBrowser?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the exported folder\'s files', () => {
  it('data.js defines the snapshot with no <, > or & a name could end the script with', () => {
    const js = files['data.js'] as string;
    expect(js).not.toMatch(/[<>&\u2028\u2029]/);
    const window: Record<string, unknown> = {};
    runInNewContext(js, { window });
    expect(window.LIFECIRCLE_SNAPSHOT).toEqual(s);
  });

  it('basemap.js embeds the city\'s tiles from zoom 9 to 14 as base64 keyed z/x/y', () => {
    const window: Record<string, Record<string, string>> = {};
    runInNewContext(files['basemap.js'] as string, { window });
    const zooms = new Set(Object.keys(window.LIFECIRCLE_BASEMAP).map((k) => Number(k.split('/')[0])));
    expect([...zooms].sort((a, b) => a - b)).toEqual([9, 10, 11, 12, 13, 14]);
    // a vector tile opens with a layer field (tag 3, length-delimited: 0x1a)
    expect(Object.values(window.LIFECIRCLE_BASEMAP).every((b64) => Buffer.from(b64, 'base64')[0] === 0x1a)).toBe(true);
  });

  it('index.html has the title as text and only the three scripts of the folder', () => {
    const html = files['index.html'] as string;
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;/script&gt; &amp; &quot;引号&quot;');
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script src="data.js">', '<script src="basemap.js">', '<script src="viewer.js">']);
  });
});

describe('the exported map in Chromium from file:// with the network blocked', () => {
  it('asks for nothing outside the folder and shows no error', () => {
    expect(requested.length).toBeGreaterThanOrEqual(5);
    expect(requested.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(requested.filter((u) => !u.startsWith(`file://${dir}/`))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('draws the cells in the ramp and gap colours over the embedded basemap', async () => {
    // one screenshot: a frame takes seconds on SwiftShader. The basemap has no hue near the gap
    // magenta or the ramp's blues (web/src/map/style.ts), so those pixels are the cells'.
    const { rgb } = await pixels(page);
    // community service: most of the city's elderly live beyond 15 minutes of a station (the gap);
    // the cells around the stations take the ramp's two blues
    expect(share(rgb, over(GAP))).toBeGreaterThan(0.05);
    expect(share(rgb, over(RAMP[0])) + share(rgb, over(RAMP[1]))).toBeGreaterThan(0.001);
    // the basemap came from basemap.js through the custom protocol, and is drawn (the Songhua's water)
    expect(await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.querySourceFeatures('basemap', { sourceLayer: 'roads' }).length)).toBeGreaterThan(100);
    expect(share(rgb, '#d3dee6', 12)).toBeGreaterThan(0.005);
  });

  it('shows the legend with the tiers, the attribution on the map and the downloads', async () => {
    const legend = page.locator('#legend');
    await expect(legend.isVisible()).resolves.toBe(true);
    const text = await legend.innerText();
    for (const words of ['图例', '≤ 5 分钟', '≤ 10 分钟', '≤ 15 分钟', '> 15 分钟', '缺口：超出 15 分钟且有老年人', '社区服务']) expect(text).toContain(words);
    await expect(page.locator('.maplibregl-ctrl-attrib').innerText()).resolves.toContain('© OpenStreetMap contributors');
    await expect(page.locator('.maplibregl-ctrl-attrib').isVisible()).resolves.toBe(true);
    expect(await page.locator('#downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(DOWNLOADS);
  });

  it('shows a clicked cell\'s H3 id, residents, elderly and minutes to every category at both speeds', async () => {
    await clickAt([s.cells.lon[cell], s.cells.lat[cell]]);
    const info = page.locator('#cell-info');
    await info.waitFor({ state: 'visible' });
    expect(await info.getAttribute('data-h3')).toBe(s.cells.h3[cell]);
    await expect(info.locator('[data-field="h3"]').innerText()).resolves.toBe(s.cells.h3[cell]);
    await expect(info.locator('[data-field="residents"]').innerText()).resolves.toBe(zhInt(s.cells.residents[cell]));
    await expect(info.locator('[data-field="elderly"]').innerText()).resolves.toBe(zhInt(s.cells.elderly[cell]));
    const shown = await info.locator('tr[data-category]').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-category'), r.querySelector('[data-field="minGeneral"]')!.textContent, r.querySelector('[data-field="minElderly"]')!.textContent]),
    );
    const expected = s.categories.map(({ id }) => {
      const d = s.cells.distM[id][cell];
      return [id, d === null ? '无法到达' : (d / s.city.speeds.general).toFixed(1), d === null ? '无法到达' : (d / s.city.speeds.elderly).toFixed(1)];
    });
    expect(shown).toEqual(expected);
    // its community, named like HTML, as text, with its coverage at the view
    const community = s.communities.find((c) => c.name === XSS)!;
    const f = community.coverage.find((x) => x.category === 'community_service' && x.tier === 15 && x.speed === 'elderly')!;
    const place = info.locator(`[data-community="${community.id}"]`);
    await expect(place.locator('h4').innerText()).resolves.toBe(XSS);
    await expect(place.locator('[data-field="elderlyPct"]').innerText()).resolves.toBe(`${((100 * f.elderlyCovered) / f.elderly).toFixed(1)}%`);
  });

  it('keeps names that look like HTML as text: title, community label, station; no dialog', async () => {
    await expect(page.locator('#title').innerText()).resolves.toBe(s.title);
    await expect(page.locator('#summary .description').innerText()).resolves.toBe(s.description);
    await expect(page.locator('.lc-community-label span', { hasText: XSS }).count()).resolves.toBe(1);
    await clickAt([s.stations[station].lon, s.stations[station].lat]);
    await page.locator('#station-info').waitFor({ state: 'visible' });
    await expect(page.locator('#station-info h3').innerText()).resolves.toBe(XSS);
    expect(await page.evaluate(() => document.scripts.length)).toBe(3);
    expect(dialogs).toEqual([]);
  });

  it('switches the legend, the title bar and the open popup between 中文 and English', async () => {
    // the station's popup is still open
    await expect(page.locator('#station-info').innerText()).resolves.toContain('类别');
    await page.locator('#lang-switch').click();
    const legend = await page.locator('#legend').innerText();
    for (const words of ['Legend', '≤ 5 min', '> 15 min', 'Gap: beyond 15 min, with elderly']) expect(legend).toContain(words);
    expect(legend).not.toContain('分钟');
    await expect(page.locator('#view').innerText()).resolves.toContain('15-minute life circle');
    await expect(page.locator('#station-info').innerText()).resolves.toContain('Category');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.locator('#lang-switch').innerText()).resolves.toBe('中文');
    await page.locator('#lang-switch').click();
    await expect(page.locator('#legend').innerText()).resolves.toContain('≤ 5 分钟');
    await expect(page.locator('#station-info').innerText()).resolves.toContain('类别');
    await expect(page.locator('#summary .description').innerText()).resolves.toBe(s.description);
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
