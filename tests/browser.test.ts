/**
 * The map in a real browser: the real server (child process) on the real Harbin database, the
 * built web app, Debian's Chromium rendering WebGL2 on SwiftShader.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../scripts/harness.ts';
import { openHarbinPage, type HarbinPage } from './helpers/browser.ts';
import { changedShare, colourAt, idle, pixels } from './helpers/page.ts';

let server: RunningServer;
let context: BrowserContext;
let page: Page;
let problems: string[];

interface Hook {
  __lifecircle: {
    map: {
      loaded(): boolean;
      once(e: string, f: () => void): void;
      jumpTo(o: { center: [number, number]; zoom: number }): void;
      project(p: [number, number]): { x: number; y: number };
      setLayoutProperty(layer: string, name: string, value: string): void;
      getLayoutProperty(layer: string, name: string): unknown;
      getLayer(id: string): unknown;
      fitBounds(b: [number, number, number, number], o: { padding: Record<string, number>; animate: boolean }): void;
      triggerRepaint(): void;
      style: { _order: string[] };
    };
    ready: Promise<void>;
  };
}

/** How much red outweighs green and blue: about 100 for the compliance reds, near 0 or below for greys. */
const redness = ([r, g, b]: readonly number[]) => r - Math.max(g, b);
const redShare = (rgb: number[]) => {
  let red = 0;
  for (let i = 0; i < rgb.length; i += 3) if (redness(rgb.slice(i, i + 3)) > 50) red++;
  return red / (rgb.length / 3);
};

let opened: HarbinPage | undefined;
beforeAll(async () => {
  opened = await openHarbinPage();
  ({ server, context, page, problems } = opened);
}, 300_000);

afterAll(async () => {
  await opened?.close();
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

describe('the compliance view in Chromium', () => {
  // expected values: the profile file read here, and the server's own answers
  interface Rule { id: string; kind: string; minutes?: number; residents?: [number, number]; amount?: number; source: { document: string; clause: string; label: string } }
  interface Community {
    id: string; name: string; population: number | null; pass: boolean;
    tier: { position: string; minutes: number | null; governingMinutes: number };
    findings: Array<{ rule: string; kind: string; people: number | null; covered: number | null; pass: boolean }>;
  }
  const profile = JSON.parse(readFileSync(new URL('../data/standards/default.json', import.meta.url), 'utf8')) as { note: string; rules: Rule[] };
  const ruleOf = (id: string) => profile.rules.find((r) => r.id === id)!;
  let communities: Community[];
  let labelAt: Map<string, [number, number]>;
  const failed = (c: Community) => c.findings.filter((f) => !f.pass).length;
  const rowOf = (id: string) => page.getByTestId('compliance-panel').locator(`li[data-community-id="${id}"]`);
  const card = () => page.getByTestId('rule-card');

  /** Communities whose label point is on the map clear of the panel (left) and the legend (bottom right). */
  async function inView(list: Community[]): Promise<Array<{ c: Community; x: number; y: number }>> {
    const out = [];
    for (const c of list) {
      const at = await page.evaluate(([lon, lat]) => (window as unknown as Hook).__lifecircle.map.project([lon, lat]), labelAt.get(c.id)!);
      if (at.x > 420 && at.x < 1000 && at.y > 40 && at.y < 760) out.push({ c, x: at.x, y: at.y });
    }
    return out;
  }

  beforeAll(async () => {
    communities = ((await (await fetch(new URL('/api/compliance', server.url))).json()) as { communities: Community[] }).communities;
    const fc = (await (await fetch(new URL('/api/communities', server.url))).json()) as { features: Array<{ properties: { id: string; labelLon: number; labelLat: number } }> };
    labelAt = new Map(fc.features.map((f) => [f.properties.id, [f.properties.labelLon, f.properties.labelLat]]));
    // the whole city in view, as the page opens it
    const city = (await (await fetch(new URL('/api/city', server.url))).json()) as { bbox: [number, number, number, number] };
    await page.evaluate((b) => (window as unknown as Hook).__lifecircle.map.fitBounds(b, { padding: { top: 24, bottom: 24, left: 400, right: 270 }, animate: false }), city.bbox);
  });

  it('fills the communities by the rules they fail, beneath the community lines, with the cells hidden', async () => {
    await page.getByTestId('view-compliance').click();
    await page.getByTestId('compliance-summary').waitFor({ timeout: 60_000 });
    await idle(page);
    expect(await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.getLayoutProperty('cells-fill', 'visibility'))).toBe('none');
    const order = await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.style._order);
    expect(order.indexOf('compliance-fill')).toBeGreaterThan(order.indexOf('roads-major'));
    expect(order.indexOf('compliance-fill')).toBeLessThan(order.indexOf('communities-line'));

    const [red] = await inView(communities.filter((c) => c.population && failed(c) >= 3));
    const [grey] = await inView(communities.filter((c) => !c.population));
    const withFill = { all: await pixels(page), red: await colourAt(page, red.x, red.y), grey: await colourAt(page, grey.x, grey.y) };
    await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.setLayoutProperty('compliance-fill', 'visibility', 'none'));
    await idle(page);
    const without = { all: await pixels(page), red: await colourAt(page, red.x, red.y), grey: await colourAt(page, grey.x, grey.y) };
    await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.setLayoutProperty('compliance-fill', 'visibility', 'visible'));
    await idle(page);
    // Harbin: all but the few communities with no population fail three rules or more, so red
    // covers the city (a quarter of the canvas) and little else is red
    expect(redShare(withFill.all.rgb)).toBeGreaterThan(0.08);
    expect(redShare(withFill.all.rgb)).toBeGreaterThan(5 * redShare(without.all.rgb));
    expect(changedShare(withFill.all.rgb, without.all.rgb)).toBeGreaterThan(0.08);
    // red where a failing community lies, grey (not red) where one with no population lies
    expect(redness(withFill.red)).toBeGreaterThan(60);
    expect(redness(without.red)).toBeLessThan(30);
    expect(Math.abs(redness(withFill.grey))).toBeLessThan(20);
    expect(changedShare([...withFill.grey], [...without.grey])).toBe(1);
  });

  it('lists every community with its tier by population, and as many falling short as the API counts', async () => {
    const short = communities.filter((c) => !c.pass).length;
    const summary = page.getByTestId('compliance-summary');
    expect(Number(await summary.getAttribute('data-failing'))).toBe(short);
    expect(Number(await summary.getAttribute('data-total'))).toBe(communities.length);
    expect(await summary.textContent()).toContain(`${communities.length} 个中有 ${short} 个未达标`);
    const rows = page.getByTestId('compliance-panel').locator('li[data-community-id]');
    expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-community-id')))).sort()).toEqual(communities.map((c) => c.id).sort());

    // the tier from the profile file's population ranges, worked out here
    const tiers = profile.rules.filter((r) => r.kind === 'tier').map((r) => ({ minutes: r.minutes!, lo: r.residents![0], hi: r.residents![1] }));
    const tierText = (population: number | null) => {
      if (!population) return '无人口数据';
      const within = tiers.find((t) => population >= t.lo && population <= t.hi);
      if (within) return `${within.minutes} 分钟生活圈`;
      const below = tiers.filter((t) => t.hi < population).sort((a, b) => b.hi - a.hi)[0];
      const above = tiers.filter((t) => t.lo > population).sort((a, b) => a.lo - b.lo)[0];
      if (!below) return `低于 ${above.minutes} 分钟生活圈的人口范围`;
      if (!above) return `超出 ${below.minutes} 分钟生活圈的人口范围`;
      return `介于 ${below.minutes} 与 ${above.minutes} 分钟生活圈之间`;
    };
    const shown = await rows.evaluateAll((els) =>
      els.map((e) => ({
        id: e.getAttribute('data-community-id')!,
        failed: e.getAttribute('data-failed'),
        tier: e.querySelector('[data-field="tier"]')!.textContent!.trim(),
        status: e.querySelector('[data-field="status"]')!.textContent!.trim(),
      })),
    );
    const positions = new Set<string>();
    for (const row of shown) {
      const c = communities.find((x) => x.id === row.id)!;
      positions.add(c.tier.position);
      expect(row.tier).toBe(tierText(c.population));
      expect(row.failed).toBe(c.population ? String(failed(c)) : '');
      expect(row.status).toBe(!c.population ? '无人口数据' : failed(c) === 0 ? '全部达标' : `${failed(c)} 项未达标`);
    }
    // Harbin has communities within, between, under and over the tiers' ranges
    expect([...positions].sort()).toEqual(['between', 'over', 'under', 'within']);
  });

  it('selects a community clicked on the map in the panel', async () => {
    const [hit] = await inView(communities.filter((c) => c.population && failed(c) >= 3));
    const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    await expect.poll(() => rowOf(hit.c.id).locator('button').getAttribute('aria-expanded')).toBe('true');
    expect(await rowOf(hit.c.id).locator('li[data-rule]').count()).toBe(failed(hit.c));
  });

  it("says what each failing rule of a community measured and links it to its rule's card and source", async () => {
    // the community failing most rules, with both a requirement and a supply norm among them
    const c = [...communities].sort((a, b) => failed(b) - failed(a))[0];
    const failing = c.findings.filter((f) => !f.pass);
    expect(failing.some((f) => f.kind === 'supply_norm') && failing.some((f) => f.kind === 'facility_requirement')).toBe(true);
    const row = rowOf(c.id);
    if ((await row.locator('button').getAttribute('aria-expanded')) !== 'true') await row.locator('button').click();
    expect((await row.locator('li[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')))).sort()).toEqual(failing.map((f) => f.rule).sort());

    const requirement = failing.find((f) => f.kind === 'facility_requirement' && f.people)!;
    const share = String(Number(((100 * requirement.covered!) / requirement.people!).toFixed(1)));
    expect(await row.locator(`li[data-rule="${requirement.rule}"] [data-field="finding"]`).textContent()).toMatch(new RegExp(`分钟内：${share.replace('.', '\\.')}% 的(居民|老年人)可达，要求 100%$`));
    const supply = failing.find((f) => f.kind === 'supply_norm')!;
    expect(await row.locator(`li[data-rule="${supply.rule}"] [data-field="finding"]`).textContent()).toContain(`要求 ${ruleOf(supply.rule).amount} `);

    await row.locator(`li[data-rule="${requirement.rule}"] a`).click();
    await expect.poll(() => card().getAttribute('data-rule')).toBe(requirement.rule);
    expect(new URL(page.url()).hash).toBe(`#rule=${requirement.rule}`);
    const source = ruleOf(requirement.rule).source;
    expect(await card().locator('[data-field="id"]').textContent()).toBe(requirement.rule);
    expect(await card().locator('[data-field="document"]').textContent()).toBe(source.document);
    expect(await card().locator('[data-field="clause"]').textContent()).toBe(source.clause);
    expect(await card().locator('[data-field="label"]').textContent()).toBe(source.label);
    await card().getByRole('button').click();
    await expect.poll(() => card().count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('');
  });

  it('opens the card of any rule from #rule=<id> in the address, and says when there is no such rule', async () => {
    await page.evaluate(() => (location.hash = '#rule=tier.10'));
    await expect.poll(() => card().getAttribute('data-rule')).toBe('tier.10');
    expect(await card().locator('[data-field="document"]').textContent()).toBe(ruleOf('tier.10').source.document);
    expect(await card().locator('[data-field="clause"]').textContent()).toBe(ruleOf('tier.10').source.clause);
    await page.evaluate(() => (location.hash = '#rule=no.such.rule'));
    await expect.poll(() => card().locator('[data-field="unknown"]').textContent()).toContain('no.such.rule');
    await page.keyboard.press('Escape');
    await expect.poll(() => card().count()).toBe(0);

    // a link from outside: a page opened at the address shows the card
    const other = await context.newPage();
    try {
      await other.goto(`${server.url}#rule=supply.nursing_beds`);
      const opened = other.getByTestId('rule-card');
      await opened.locator('[data-field="document"]').waitFor({ timeout: 60_000 });
      expect(await opened.locator('[data-field="document"]').textContent()).toBe(ruleOf('supply.nursing_beds').source.document);
      expect(await opened.locator('[data-field="clause"]').textContent()).toBe(ruleOf('supply.nursing_beds').source.clause);
      expect(await opened.locator('[data-field="label"]').textContent()).toBe(ruleOf('supply.nursing_beds').source.label);
    } finally {
      await other.close();
    }
  });

  it("switches the compliance panel, the rule card and the legend between Chinese and English", async () => {
    const short = communities.filter((c) => !c.pass).length;
    const within = communities.find((c) => c.tier.position === 'within')!;
    const c = [...communities].sort((a, b) => failed(b) - failed(a))[0];
    const requirement = c.findings.find((f) => !f.pass && f.kind === 'facility_requirement')!;
    const label = ruleOf(requirement.rule).source.label;
    await rowOf(c.id).locator(`li[data-rule="${requirement.rule}"] a`).click();
    const zhMeaning = await card().locator('[data-field="label-meaning"]').textContent();
    expect(zhMeaning).toMatch(/^[\u4e00-\u9fff]+$/);

    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByTestId('compliance-summary').textContent()).toContain(`${short} of ${communities.length} communities fall short`);
    expect(await rowOf(within.id).locator('[data-field="tier"]').textContent()).toBe(`${within.tier.minutes}-minute tier`);
    expect(await rowOf(c.id).locator(`li[data-rule="${requirement.rule}"] [data-field="finding"]`).textContent()).toMatch(/ within \d+ min: [\d.]+ % of (residents|elderly), needs 100 %$/);
    // the label's meaning as the profile's own note gives it
    const meaning = new RegExp(`\\b${label} ([a-z ]+?)[,.]`).exec(profile.note)![1];
    expect(await card().locator('[data-field="label-meaning"]').textContent()).toBe(meaning);
    expect(await page.getByTestId('legend').textContent()).toContain('Rules failed per community');

    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toMatch(/^zh/);
    expect(await card().locator('[data-field="label-meaning"]').textContent()).toBe(zhMeaning);
    expect(await page.getByTestId('compliance-summary').textContent()).toContain('个未达标');
    await page.keyboard.press('Escape');
  });

  it('goes back to the coverage view: cells shown, the compliance fill gone, no errors', async () => {
    await page.getByTestId('view-coverage').click();
    await idle(page);
    expect(await page.evaluate(() => (window as unknown as Hook).__lifecircle.map.getLayoutProperty('cells-fill', 'visibility'))).toBe('visible');
    expect(await page.evaluate(() => Boolean((window as unknown as Hook).__lifecircle.map.getLayer('compliance-fill')))).toBe(false);
    expect(await page.getByTestId('legend').locator('[data-legend="gap"]').count()).toBe(1);
    expect(await page.getByTestId('compliance-panel').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
