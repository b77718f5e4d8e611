/**
 * Scenarios and siting in a real browser: the real server (child process) on the real Harbin
 * database, the built web app, Debian's Chromium. Expected numbers come from the server's own
 * answers (the edit's response, /compare, /suggest asked again, /cells) and colours from the
 * palette's hex values; never from the web app's code.
 */
import { cellToLatLng } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunningServer } from '../scripts/harness.ts';
import { answerOf, changeHeaders, openHarbinPage, zhInt, type HarbinPage } from './helpers/browser.ts';
import { colourAt, idle } from './helpers/page.ts';

let server: RunningServer;
let page: Page;
let problems: string[];

interface Hook {
  __lifecircle: {
    map: {
      jumpTo(o: { center: [number, number]; zoom: number }): void;
      project(p: [number, number]): { x: number; y: number };
    };
  };
}

interface DeltaRow { category: string; tier: number; speed: string; community: { id: string } | null; residentsGained: number; residentsLost: number; elderlyGained: number; elderlyLost: number }
interface CompareRow { tier: number; speed: string; community: unknown; before: { residentsCovered: number; elderlyCovered: number }; after: { residentsCovered: number; elderlyCovered: number } }
interface Proposal { rank: number; lon: number; lat: number; gain: number }

async function api<T>(path: string, init?: { method: string; body: unknown }): Promise<T> {
  const res = await fetch(new URL(path, server.url), init ? { method: init.method, body: JSON.stringify(init.body), headers: changeHeaders(server) } : undefined);
  return (await res.json()) as T;
}

/** The city-wide row of elderly care, 15 min, elderly speed: the page's selection. */
const selected = (rows: DeltaRow[]) => rows.find((r) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community === null)!;

/** Wait until the cells show the scenario at this version (or `baseline`). */
const colouredAs = (p: Page, what: string) => p.waitForFunction((w) => document.documentElement.dataset.cellsColoured === w, what, { timeout: 60_000 });
const steps = (p: Page) => p.getByTestId('scenario-steps').textContent();
const delta = (p: Page, field: string) => p.getByTestId('delta-panel').locator(`[data-field="${field}"]`);

let opened: HarbinPage | undefined;
beforeAll(async () => {
  opened = await openHarbinPage({ ignoreAborted: true });
  ({ server, page, problems } = opened);
}, 300_000);

afterAll(async () => {
  await opened?.close();
});

describe('scenarios and siting in Chromium', () => {
  let id: string;
  /** Where the station is added: the centre of the cell with the most elderly. */
  /** Cells near the site the new station brings within 10 min, where they are on screen. */
  let near: Array<{ h3: string; x: number; y: number; k: number }>;
  let baselineColours: Array<[number, number, number]>;

  it('creates a scenario from the bar, keeps it in the address and colours the cells by it', async () => {
    await page.getByTestId('scenario-new').click();
    await page.getByTestId('scenario-name').fill('道里区养老站');
    await page.getByTestId('scenario-name-ok').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('scenario')).toMatch(/^[a-z0-9-]+$/);
    id = new URL(page.url()).searchParams.get('scenario')!;
    expect(await api(`/api/scenarios/${id}`)).toMatchObject({ name: '道里区养老站', version: 0, head: 0 });
    expect(await page.getByTestId('scenario-select').inputValue()).toBe(id);
    await colouredAs(page, `${id}@0`);
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    expect(await page.getByTestId('redo').isDisabled()).toBe(true);
  });

  it('adds a station where the map is clicked, shows the delta the server answered, and recolours the cells near it', async () => {
    const cells = await api<{ h3: string[]; elderly: number[] }>('/api/cells');
    let best = 0;
    cells.elderly.forEach((e, i) => e > cells.elderly[best] && (best = i));
    const [lat, lon] = cellToLatLng(cells.h3[best]);
    await page.evaluate((c) => (window as unknown as Hook).__lifecircle.map.jumpTo({ center: c, zoom: 15 }), [lon, lat] as [number, number]);
    // community names are HTML markers over the map: out of the way of the colour reads
    await page.addStyleTag({ content: '.lc-community-label { visibility: hidden !important; }' });
    await page.getByTestId('siting-mode').click();
    await page.getByTestId('siting-panel').waitFor();
    await idle(page);

    // what the cells look like before: the candidates are the populated cells around the site
    const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
    const at = await page.evaluate((c) => (window as unknown as Hook).__lifecircle.map.project(c), [lon, lat] as [number, number]);
    const populated = cells.h3.filter((_, i) => cells.elderly[i] > 0);
    const centres = populated.map((c) => cellToLatLng(c)).map(([la, lo]) => [lo, la] as [number, number]);
    const projected = await page.evaluate((cs) => cs.map((c) => (window as unknown as Hook).__lifecircle.map.project(c)), centres);
    const candidates = populated
      .map((c, i) => ({ h3: c, x: projected[i].x, y: projected[i].y, r: Math.hypot(projected[i].x - at.x, projected[i].y - at.y) }))
      // clear of the new station's dot, the panel (left), the legend (bottom right) and the top bar
      .filter((c) => c.r > 30 && c.r < 260 && c.x > 420 && c.x < 1000 && c.y > 110 && c.y < 760);
    const before = await Promise.all(candidates.map((c) => colourAt(page, c.x, c.y)));

    const answered = answerOf(page, /\/edits$/);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    const response = await answered;
    const body = (await response.json()) as { scenario: { version: number }; delta: DeltaRow[] };
    expect(response.request().postDataJSON()).toMatchObject({ edit: { op: 'add', category: 'elderly_care' }, baseVersion: 0 });
    const edit = response.request().postDataJSON().edit as { lon: number; lat: number };
    // the click's place: within a few metres of the cell centre (1.7 m per pixel at zoom 15)
    expect(Math.abs(edit.lon - lon) * 78_000).toBeLessThan(10);
    expect(Math.abs(edit.lat - lat) * 111_000).toBeLessThan(10);

    // the delta panel: the server's delta for this edit, and /compare's before and after agree
    const row = selected(body.delta);
    expect(row.elderlyGained).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('delta-panel').getAttribute('data-what')).toBe('add');
    for (const f of ['residentsGained', 'residentsLost', 'elderlyGained', 'elderlyLost'] as const) {
      expect(Number(await delta(page, f).getAttribute('data-value'))).toBe(row[f]);
      expect((await delta(page, f).textContent())!.replace(/^[+−]/, '')).toBe(zhInt(row[f]));
    }
    const compare = await api<{ rows: CompareRow[] }>(`/api/scenarios/${id}/compare?category=elderly_care&tier=15&speed=elderly`);
    const city = compare.rows.find((r) => r.community === null)!;
    expect(city.after.elderlyCovered - city.before.elderlyCovered).toBeCloseTo(row.elderlyGained, 0);
    expect(city.after.residentsCovered - city.before.residentsCovered).toBeCloseTo(row.residentsGained, 0);
    // the communities it touched most, as the delta's own per-community rows rank them
    const touched = body.delta.filter((r) => r.category === 'elderly_care' && r.tier === 15 && r.speed === 'elderly' && r.community !== null);
    const top = [...touched].sort((a, b) => b.elderlyGained + b.elderlyLost - (a.elderlyGained + a.elderlyLost))[0];
    expect(await page.getByTestId('delta-communities').locator('li').first().getAttribute('data-community-id')).toBe(top.community!.id);

    // the cells: those the server now puts within 10 min (≤ 500 m at 50 m/min) turn from the
    // unreachable gap's dark magenta (#7d0552, red over blue) to the ramp's blues (blue over red)
    await colouredAs(page, `${id}@${body.scenario.version}`);
    await idle(page);
    const dist = (await api<{ distM: { elderly_care: Array<number | null> } }>(`/api/scenarios/${id}/cells?category=elderly_care`)).distM.elderly_care;
    const index = new Map(cells.h3.map((c, i) => [c, i]));
    const within = candidates.map((c, k) => ({ ...c, k })).filter((c) => (dist[index.get(c.h3)!] ?? Infinity) <= 500);
    // a sample spread around the site (the reads are screenshots: keep them few)
    near = within.filter((_, i) => i % Math.max(1, Math.floor(within.length / 8)) === 0).slice(0, 8);
    expect(near.length).toBeGreaterThanOrEqual(4);
    baselineColours = near.map((c) => before[c.k]);
    for (const [r, , b] of baselineColours) expect(r - b).toBeGreaterThan(15);
    for (const c of near) {
      const [r, , b] = await colourAt(page, c.x, c.y);
      expect(b - r, `cell ${c.h3}`).toBeGreaterThan(40);
    }
    expect(await page.getByTestId('undo').isDisabled()).toBe(false);
  });

  it('undoes the add: the colours come back and the delta shows what the undo lost', async () => {
    const answered = answerOf(page, /\/undo$/);
    await page.getByTestId('undo').click();
    const body = (await (await answered).json()) as { scenario: { version: number }; delta: DeltaRow[] };
    await colouredAs(page, `${id}@${body.scenario.version}`);
    await idle(page);
    for (const [i, c] of near.entries()) {
      const now = await colourAt(page, c.x, c.y);
      const diff = now.reduce((a, v, k) => a + Math.abs(v - baselineColours[i][k]), 0);
      expect(diff, `cell ${c.h3}`).toBeLessThan(12);
    }
    await expect.poll(() => page.getByTestId('delta-panel').getAttribute('data-what')).toBe('undo');
    expect(Number(await delta(page, 'elderlyLost').getAttribute('data-value'))).toBe(selected(body.delta).elderlyLost);
    expect(selected(body.delta).elderlyLost).toBeGreaterThan(0);
    expect(await api(`/api/scenarios/${id}`)).toMatchObject({ head: 0, editCount: 1, canUndo: false, canRedo: true });
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);
    expect(await page.getByTestId('redo').isDisabled()).toBe(false);
  });

  let proposals: Proposal[];
  let covered: number;

  it('suggests 3 sites: numbered markers with the gains /suggest gives for the same request', async () => {
    await page.getByTestId('suggest-kind').selectOption('max-cover');
    await page.getByTestId('suggest-p').fill('3');
    const answered = answerOf(page, /\/suggest$/);
    await page.getByTestId('suggest-run').click();
    // progress while solving: the instance alone walks from ~10,000 candidate cells
    expect(await page.getByTestId('suggest-run').textContent()).toContain('求解中');
    const response = await answered;
    const request = response.request().postDataJSON();
    expect(request).toEqual({ category: 'elderly_care', tier: 15, speed: 'elderly', weight: 'elderly', problem: { kind: 'max-cover', p: 3 }, exactSeconds: 0 });
    // the same request asked here: the expected gains
    const again = await api<{ proposals: Proposal[]; covered: number }>(`/api/scenarios/${id}/suggest`, { method: 'POST', body: request });
    proposals = again.proposals;
    covered = again.covered;
    expect(proposals).toHaveLength(3);

    const markers = page.getByTestId('suggestion-marker');
    await expect.poll(() => markers.count()).toBe(3);
    const shown = await markers.evaluateAll((els) => els.map((e) => ({ rank: Number(e.dataset.rank), gain: Number(e.dataset.gain), text: e.textContent })));
    expect(shown.map((m) => m.rank)).toEqual([1, 2, 3]);
    for (const [i, p] of proposals.entries()) {
      expect(shown[i].gain).toBe(p.gain);
      expect(shown[i].text).toBe(`${p.rank}+${zhInt(p.gain)}`);
    }
    expect(await page.getByTestId('suggest-run').textContent()).not.toContain('求解中');
    // each numbered disc sits on its site
    await page.evaluate((c) => (window as unknown as Hook).__lifecircle.map.jumpTo({ center: c, zoom: 12 }), [proposals[0].lon, proposals[0].lat] as [number, number]);
    await idle(page);
    const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
    for (const p of proposals) {
      const at = await page.evaluate((c) => (window as unknown as Hook).__lifecircle.map.project(c), [p.lon, p.lat] as [number, number]);
      const disc = (await markers.nth(p.rank - 1).locator('b').boundingBox())!;
      expect(Math.abs(disc.x + disc.width / 2 - (box.x + at.x))).toBeLessThan(2);
      expect(Math.abs(disc.y + disc.height / 2 - (box.y + at.y))).toBeLessThan(2);
    }
  });

  it('accepts them: three more edits, at the proposed sites, and the delta sums their gains', async () => {
    const before = await api<{ version: number; edits: number }>(`/api/scenarios/${id}`);
    await page.getByTestId('suggest-accept').click();
    await colouredAs(page, `${id}@${before.version + 3}`);
    const after = await api<{ edits: number; head: number; editCount: number }>(`/api/scenarios/${id}`);
    expect(after.edits).toBe(before.edits + 3);
    // the undone add was on the redo stack: new edits drop it
    expect(after).toMatchObject({ head: 3, editCount: 3 });
    const stations = await api<{ features: Array<{ geometry: { coordinates: [number, number] }; properties: { id: string; added: boolean } }> }>(`/api/scenarios/${id}/stations`);
    const added = stations.features.filter((f) => f.properties.added);
    expect(added.map((f) => f.geometry.coordinates)).toEqual(proposals.map((p) => [p.lon, p.lat]));
    await expect.poll(() => page.getByTestId('suggestion-marker').count()).toBe(0);
    await expect.poll(() => page.getByTestId('delta-panel').getAttribute('data-what')).toBe('accept');
    // the three edits' deltas (each rounded to 0.1 by the server) add up to what /suggest promised
    expect(Number(await delta(page, 'elderlyGained').getAttribute('data-value'))).toBeCloseTo(covered, 0);
  });

  it("compares the scenario with the baseline as /compare does, per tier and speed", async () => {
    const compare = await api<{ rows: CompareRow[] }>(`/api/scenarios/${id}/compare?category=elderly_care`);
    const city = compare.rows.filter((r) => r.community === null);
    expect(city).toHaveLength(6);
    const table = page.getByTestId('compare-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(6);
    for (const r of city) {
      const tr = table.locator(`tr[data-tier="${r.tier}"][data-speed="${r.speed}"]`);
      await expect.poll(async () => Number(await tr.locator('[data-field="elderlyAfter"]').getAttribute('data-value'))).toBe(r.after.elderlyCovered);
      expect(Number(await tr.locator('[data-field="elderlyBefore"]').getAttribute('data-value'))).toBe(r.before.elderlyCovered);
      expect(Number(await tr.locator('[data-field="residentsBefore"]').getAttribute('data-value'))).toBe(r.before.residentsCovered);
      expect(Number(await tr.locator('[data-field="residentsAfter"]').getAttribute('data-value'))).toBe(r.after.residentsCovered);
      expect(await tr.locator('[data-field="residentsAfter"]').textContent()).toBe(zhInt(r.after.residentsCovered));
    }
  });

  it('on a stale version (changed elsewhere) shows the 409 and reloads the scenario; the next undo works', async () => {
    const { version } = await api<{ version: number }>(`/api/scenarios/${id}`);
    await api(`/api/scenarios/${id}`, { method: 'PATCH', body: { name: '改过的名字', baseVersion: version } });
    const answered = answerOf(page, /\/undo$/);
    await page.getByTestId('undo').click();
    expect((await answered).status()).toBe(409);
    await expect.poll(() => page.getByTestId('errors').textContent()).toContain(`version ${version + 1}`);
    await expect.poll(() => page.getByTestId('scenario-select').locator(`option[value="${id}"]`).textContent()).toBe('改过的名字');
    const retry = answerOf(page, /\/undo$/);
    await page.getByTestId('undo').click();
    expect((await retry).status()).toBe(200);
    await expect.poll(() => steps(page)).toContain('2/3');
    await page.getByTestId('errors').getByRole('button').click();
    // the browser logs the refused request itself: expected here, and only here
    const refused = problems.findIndex((p) => /status of 409/.test(p));
    expect(refused).toBeGreaterThanOrEqual(0);
    problems.splice(refused, 1);
  });

  it('switches the siting panel and the scenario bar between Chinese and English', async () => {
    const panel = page.getByTestId('siting-panel');
    expect(await panel.locator('h2').textContent()).toBe('选址与情景分析');
    expect(await page.getByTestId('suggest-panel').locator('h3').textContent()).toBe('选址建议');
    expect(await page.getByTestId('undo').textContent()).toContain('撤销');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => panel.locator('h2').textContent()).toBe('Siting and what-if');
    expect(await page.getByTestId('suggest-panel').locator('h3').textContent()).toBe('Suggest sites');
    expect(await page.getByTestId('delta-panel').locator('h3').textContent()).toBe('Effect of the change (Elderly care, 15 min, Elderly)');
    expect(await page.getByTestId('delta-panel').locator('[data-field="what"]').textContent()).toBe('Undone');
    expect(await page.getByTestId('compare-table').locator('th').first().textContent()).toBe('Tier');
    expect(await page.getByTestId('undo').textContent()).toContain('Undo');
    expect(await steps(page)).toBe('2 of 3 edits applied');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => panel.locator('h2').textContent()).toBe('选址与情景分析');
    expect(await page.getByTestId('delta-panel').locator('[data-field="what"]').textContent()).toBe('撤销');
  });

  it('opens the scenario again after a reload, from the address; deleting it goes back to the baseline', async () => {
    const { version } = await api<{ version: number }>(`/api/scenarios/${id}`);
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.cellsDrawn === 'true', null, { timeout: 120_000 });
    await colouredAs(page, `${id}@${version}`);
    expect(await page.getByTestId('scenario-select').inputValue()).toBe(id);
    await page.getByTestId('scenario-delete').click();
    await page.getByTestId('scenario-delete').click();
    await colouredAs(page, 'baseline');
    expect(new URL(page.url()).searchParams.has('scenario')).toBe(false);
    expect(await page.getByTestId('scenario-select').inputValue()).toBe('');
    expect(((await fetch(new URL(`/api/scenarios/${id}`, server.url))).status)).toBe(404);
    expect(problems).toEqual([]);
  });
});
