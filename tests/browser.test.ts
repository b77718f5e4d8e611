/**
 * The map in a real browser: the real server (child process) on the real Harbin database, the
 * built web app, Debian's Chromium rendering WebGL2 on SwiftShader.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { WEB_ROOT } from '../server/config.ts';
import { launchChromium, startServer, type RunningServer } from '../scripts/harness.ts';
import { buildHarbin, type Built } from './helpers/harbin.ts';

let h: Built;
let server: RunningServer;
let chrome: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

interface Hook {
  __lifecircle: {
    map: {
      loaded(): boolean;
      once(e: string, f: () => void): void;
      jumpTo(o: { center: [number, number]; zoom: number }): void;
      project(p: [number, number]): { x: number; y: number };
      setLayoutProperty(layer: string, name: string, value: string): void;
      triggerRepaint(): void;
    };
    ready: Promise<void>;
  };
}

/** Wait until the map has rendered everything it has (MapLibre `idle`). */
const idle = (p: Page) =>
  p.evaluate(() => new Promise<void>((resolve) => {
    const map = (window as unknown as Hook).__lifecircle.map;
    map.once('idle', () => resolve());
    map.triggerRepaint();
  }));

/**
 * The map canvas's pixels, decoded by the browser from a screenshot: how many are strongly
 * coloured (saturated), and the RGB bytes for comparing two renders.
 */
async function pixels(p: Page): Promise<{ saturated: number; total: number; rgb: number[] }> {
  const box = (await p.locator('canvas.maplibregl-canvas').boundingBox())!;
  const png = await p.screenshot({ clip: box });
  return p.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 200;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, 320, 200);
    const data = ctx.getImageData(0, 0, 320, 200).data;
    let saturated = 0;
    const rgb: number[] = [];
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, bl] = [data[i], data[i + 1], data[i + 2]];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 60) saturated++;
      rgb.push(r, g, bl);
    }
    return { saturated, total: data.length / 4, rgb };
  }, png.toString('base64'));
}

const changedShare = (a: number[], b: number[]) => {
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 40) changed++;
  return changed / (a.length / 3);
};

beforeAll(async () => {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error('dist/web is missing: npm test builds it (vite build) before vitest');
  h = await buildHarbin();
  h.db.close(); // the server opens the file itself
  server = await startServer(h.dbPath);
  chrome = await launchChromium();
  context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(server.url);
  await page.waitForFunction(() => document.documentElement.dataset.cellsDrawn === 'true', null, { timeout: 120_000 });
}, 300_000);

afterAll(async () => {
  await context?.close();
  await chrome?.close();
  await server?.stop();
  h?.dispose();
});

describe('the map in Chromium', () => {
  it('loads with no console errors and the map fires load', async () => {
    // ready = the map's load event and the cells drawn; then the basemap joins and loads too
    await page.evaluate(() => (window as unknown as Hook).__lifecircle.ready);
    await idle(page);
    expect(await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.loaded())).toBe(true);
    expect(problems).toEqual([]);
  });

  it('draws coloured cells: hiding the cells layer takes the colour away', async () => {
    await idle(page);
    const withCells = await pixels(page);
    await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.setLayoutProperty('cells-fill', 'visibility', 'none'));
    await idle(page);
    const without = await pixels(page);
    await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.setLayoutProperty('cells-fill', 'visibility', 'visible'));
    await idle(page);
    // elderly care: no facility in Harbin, so every populated cell is a gap and strongly coloured
    expect(withCells.saturated / withCells.total).toBeGreaterThan(0.05);
    expect(withCells.saturated).toBeGreaterThan(2 * without.saturated);
    expect(changedShare(withCells.rgb, without.rgb)).toBeGreaterThan(0.05);
  });

  it('draws the city\'s own basemap beneath the cells', async () => {
    // the basemap joins once the cells are drawn; its layers go below the cells
    const order = await page.evaluate(() => (window as unknown as { __lifecircle: { map: { style: { _order: string[] } } } }).__lifecircle.map.style._order);
    for (const id of ['water', 'buildings', 'roads-major', 'boundaries']) {
      expect(order.indexOf(id)).toBeGreaterThan(0);
      expect(order.indexOf(id)).toBeLessThan(order.indexOf('cells-fill'));
    }
    // drawn: hiding the basemap's layers changes the picture
    const layers = ['green', 'water', 'waterway', 'roads-casing', 'roads-minor', 'roads-major', 'roads-trunk-casing', 'roads-trunk', 'rail', 'boundaries'];
    await idle(page);
    const withBasemap = await pixels(page);
    await page.evaluate((ids) => ids.forEach((id) => (window as unknown as Hook).__lifecircle.map.setLayoutProperty(id, 'visibility', 'none')), layers);
    await idle(page);
    const without = await pixels(page);
    await page.evaluate((ids) => ids.forEach((id) => (window as unknown as Hook).__lifecircle.map.setLayoutProperty(id, 'visibility', 'visible')), layers);
    await idle(page);
    expect(changedShare(withBasemap.rgb, without.rgb)).toBeGreaterThan(0.02);
  });

  it('recolours the cells when the category changes', async () => {
    const before = await pixels(page);
    await page.getByTestId('category-select').selectOption('school');
    await idle(page);
    const after = await pixels(page);
    expect(changedShare(before.rgb, after.rgb)).toBeGreaterThan(0.03);
    await page.getByTestId('category-select').selectOption('elderly_care');
    await idle(page);
  });

  it('shows a clicked cell with the numbers the API gives', async () => {
    const cells = (await (await fetch(new URL('/api/cells', server.url))).json()) as { h3: string[]; residents: number[]; distM: Record<string, Array<number | null>> };
    // a populated cell well away from any school or health facility, so the click lands on the cell itself
    let pick = -1;
    for (let i = 0; i < cells.h3.length; i++) {
      const clear = (cells.distM.school[i] ?? 1e9) > 250 && (cells.distM.health[i] ?? 1e9) > 250 && (cells.distM.community_service[i] ?? 1e9) > 250;
      if (cells.residents[i] > 100 && clear && (pick < 0 || cells.residents[i] > cells.residents[pick])) pick = i;
    }
    const h3 = cells.h3[pick];
    const detail = (await (await fetch(new URL(`/api/cells/${h3}`, server.url))).json()) as {
      lon: number; lat: number; residents: number; elderly: number; nearest: Array<{ category: string; minGeneral: number | null; minElderly: number | null }>;
    };
    await page.evaluate(([lon, lat]) => (window as unknown as Hook).__lifecircle.map.jumpTo({ center: [lon, lat], zoom: 16 }), [detail.lon, detail.lat]);
    await idle(page);
    const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
    const at = await page.evaluate(([lon, lat]) => (window as unknown as Hook).__lifecircle.map.project([lon, lat]), [detail.lon, detail.lat]);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    const popup = page.getByTestId('popup');
    await popup.locator('[data-field="residents"]').waitFor({ timeout: 30_000 });
    expect(await popup.getAttribute('data-kind')).toBe('cell');
    expect(await popup.locator('code').textContent()).toBe(h3);
    expect(Number(await popup.locator('[data-field="residents"]').textContent())).toBe(detail.residents);
    expect(Number(await popup.locator('[data-field="elderly"]').textContent())).toBe(detail.elderly);
    for (const n of detail.nearest) {
      const row = popup.locator(`tr[data-category="${n.category}"]`);
      const shown = async (f: string) => (await row.locator(`[data-field="${f}"]`).textContent())!.trim();
      if (n.minGeneral === null) expect(Number.isNaN(Number(await shown('minGeneral')))).toBe(true);
      else expect(await shown('minGeneral')).toBe(n.minGeneral.toFixed(1));
      if (n.minElderly === null) expect(Number.isNaN(Number(await shown('minElderly')))).toBe(true);
      else expect(await shown('minElderly')).toBe(n.minElderly.toFixed(1));
    }
  });

  it('switches the labels between Chinese and English', async () => {
    const legend = page.getByTestId('legend');
    const zh = await legend.textContent();
    expect(await page.evaluate(() => document.documentElement.lang)).toMatch(/^zh/);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    const en = await legend.textContent();
    expect(en).not.toBe(zh);
    expect(en).toMatch(/minutes|min/i);
    expect(await page.getByTestId('category-select').locator('option[value="elderly_care"]').textContent()).toMatch(/Elderly care/);
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toMatch(/^zh/);
    expect(await page.getByTestId('category-select').locator('option[value="elderly_care"]').textContent()).toMatch(/养老服务/);
    expect(problems).toEqual([]);
  });
});
