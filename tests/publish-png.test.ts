/**
 * The PNG map of a published snapshot (server/publish/png.ts), read back pixel by pixel: a cell's centre has the
 * colour the web app gives it (cellColour, composited over the basemap's ground at the cell's alpha), the gap is
 * the gap magenta, cells of different colours meet without a pale seam, only the view category's stations are
 * drawn, the title's glyphs are really drawn (not missing-glyph boxes), the language changes the words and nothing
 * of the map; and the whole of Harbin renders, sampled cells in their colours.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { cellToBoundary, cellToLatLng, cellsToMultiPolygon, gridDisk, latLngToCell } from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityContext } from '../server/context.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { readCity } from '../server/db/read.ts';
import { emptyBasemap, type Basemap } from '../server/core/tiles.ts';
import { mapFrame, pageLayout, renderMapPng, type Rect } from '../server/publish/png.ts';
import { buildSnapshot } from '../server/publish/snapshot.ts';
import type { SnapshotData, SnapshotStation } from '../server/publish/types.ts';
import { ScenarioModel } from '../server/scenario.ts';
import { cellColour, scenarioDistances, type CellSelection } from '../web/src/map/cellStyle.ts';
import { basemapStyle } from '../web/src/map/style.ts';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';

type RGB = [number, number, number];
const rgb = (hex: string): RGB => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];

// the basemap's ground and water as the app's own style paints them (style.ts), not as png.ts copied them
const style = basemapStyle('http://localhost/{z}/{x}/{y}.pbf');
const paint = (id: string, key: string) => (style.layers.find((l) => l.id === id)?.paint as Record<string, unknown>)[key] as string;
const GROUND = rgb(paint('background', 'background-color'));
const WATER = rgb(paint('water', 'fill-color'));

// hand-written from web/src/lib/palette.ts and cellStyle.ts, not computed by the code under test
const GAP_RGB: RGB = [0xd1, 0x12, 0x7b];
const ELDERLY_CARE_RGB: RGB = [0xff, 0x7f, 0x00];
const PHARMACY_RGB: RGB = [0x1a, 0x98, 0x50];
const ALPHA_POPULATED = 0.66;

/**
 * A colour at alpha `a` over `ground`, unrounded. Skia keeps the cell layer in 8-bit premultiplied RGBA: the alpha
 * is stored as a whole 255th (0.24 becomes 61/255 = 0.239), the colour times it rounded, and the blend onto the
 * page rounded again in 8 bits. Together that moves a pixel up to 2 levels per channel from this exact value; the
 * test allows those 2 and no more (a wrong colour of the ramp or palette is tens of levels away).
 */
const over = ([r, g, b]: readonly number[], a: number, ground: RGB): RGB => [r * a + ground[0] * (1 - a), g * a + ground[1] * (1 - a), b * a + ground[2] * (1 - a)];
const ROUNDING = 2;

/** The decoded PNG's pixels. */
async function decode(png: Buffer) {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return {
    width: img.width,
    height: img.height,
    at(x: number, y: number): RGB {
      const i = (Math.floor(y) * img.width + Math.floor(x)) * 4;
      return [data[i], data[i + 1], data[i + 2]];
    },
    /** Every pixel of `r`, to compare regions. */
    region(r: Rect): Buffer {
      const x = Math.floor(r.x);
      const y = Math.floor(r.y);
      return Buffer.from(ctx.getImageData(x, y, Math.floor(r.x + r.w) - x, Math.floor(r.y + r.h) - y).data);
    },
    /** How many pixels of `r` (on the white page) are inked: not white. */
    ink(r: Rect): number {
      let n = 0;
      for (let y = Math.floor(r.y); y < Math.floor(r.y + r.h); y++) for (let x = Math.floor(r.x); x < Math.floor(r.x + r.w); x++) {
        const [red, g, b] = this.at(x, y);
        if (red + g + b < 3 * 255) n++;
      }
      return n;
    },
  };
}

function expectColour(actual: RGB, expected: readonly number[]) {
  for (let k = 0; k < 3; k++) expect(Math.abs(actual[k] - expected[k]), `channel ${k}: ${actual} vs ${expected.map((v) => v.toFixed(1))}`).toBeLessThanOrEqual(ROUNDING);
}

// Nineteen real res-10 cells around central Harbin, each given a case: metres to the nearest elderly-care station,
// residents, elderly. At the elderly's 50 m/min the tiers 5/10/15 end at 250/500/750 m; the view is 15 minutes.
const CASES: Array<[number | null, number, number]> = [
  [100, 40, 9], // ≤ 5 min
  [400, 40, 9], // ≤ 10 min
  [700, 40, 9], // ≤ 15 min
  [900, 0, 0], // beyond, nobody: last ramp step, faint
  [900, 40, 9], // beyond the view tier with elderly: the gap
  [null, 40, 9], // no station reachable, elderly: the dark gap
  [null, 0, 0], // no station reachable, nobody: grey, faint
  [900, 40, 0], // residents but no elderly: the gap is weighted by the elderly, so no gap
];
const centre = latLngToCell(45.75, 126.63, 10);
const H3 = gridDisk(centre, 2);

function station(id: string, category: string, h3: string, more: Partial<SnapshotStation> = {}): SnapshotStation {
  const [lat, lon] = cellToLatLng(h3);
  return { id, name: id, category, lon, lat, capacity: null, open: true, added: false, ...more };
}

function fixture(): SnapshotData {
  const lat: number[] = [];
  const lon: number[] = [];
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const h of H3) {
    const [la, lo] = cellToLatLng(h);
    lat.push(la);
    lon.push(lo);
    for (const [y, x] of cellToBoundary(h)) [w, s, e, n] = [Math.min(w, x), Math.min(s, y), Math.max(e, x), Math.max(n, y)];
  }
  const c = H3.map((_, i) => CASES[i % CASES.length]);
  const gapCells = H3.filter((_, i) => c[i][0] === 900 && c[i][2] > 0);
  const box = [[[w, s], [e, s], [e, n], [w, n], [w, s]]];
  return {
    format: 'lifecircle-snapshot/1',
    name: 'fixture',
    title: '道里区 养老服务 15 分钟覆盖 "试行" <script>alert(1)</script>',
    description: '',
    publishedAt: '2026-03-04T23:30:00.000Z',
    scenario: null,
    view: { category: 'elderly_care', tier: 15, speed: 'elderly', weight: 'elderly' },
    city: { name: 'fixture.osm.pbf', bbox: [w - 0.001, s - 0.001, e + 0.001, n + 0.001], resolution: 10, speeds: { general: 67, elderly: 50 }, tiers: [5, 10, 15], reachM: null },
    attribution: ['© OpenStreetMap contributors'],
    profile: 'GB 50180-2018',
    categories: [
      { id: 'elderly_care', zh: '养老服务', en: 'Elderly care' },
      { id: 'pharmacy', zh: '药店', en: 'Pharmacy' },
    ],
    cells: {
      resolution: 10,
      h3: H3,
      lon,
      lat,
      residents: c.map((k) => k[1]),
      elderly: c.map((k) => k[2]),
      distM: { elderly_care: c.map((k) => k[0]), pharmacy: c.map(() => 50) },
    },
    coverage: [],
    communities: [{ id: 'c1', name: '一号社区', population: null, residents: 0, elderly: 0, label: [lon[0], lat[0]], geometry: [box], coverage: [], compliance: null }],
    joints: [],
    // the view category's station on the centre cell; a pharmacy on cell 1, which must not be drawn
    stations: [station('s0', 'elderly_care', H3[0]), station('p1', 'pharmacy', H3[1])],
    gaps: [{ rank: 1, cells: gapCells.length, residents: 0, elderly: 0, lon: lon[4], lat: lat[4], geometry: cellsToMultiPolygon(gapCells, true) }],
    walksheds: [],
  };
}

const SIZE = { width: 800, height: 600 };
const selectionOf = (s: SnapshotData): CellSelection => ({
  category: s.view.category,
  tier: s.view.tier,
  speedMPerMin: s.city.speeds[s.view.speed],
  weighting: 'elderly',
  tiers: s.city.tiers,
});

describe('the PNG map', () => {
  it('is a PNG of the asked size, 1600 × 1200 by default', async () => {
    const s = fixture();
    for (const [png, w, h] of [
      [renderMapPng(s, emptyBasemap()), 1600, 1200],
      [renderMapPng(s, emptyBasemap(), { width: 640, height: 900 }), 640, 900],
    ] as const) {
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([w, h]);
      const img = await decode(png);
      expect([img.width, img.height]).toEqual([w, h]);
    }
  });

  it('refuses a size that is no whole number of pixels, too small for the legend or too large to allocate', () => {
    expect(() => renderMapPng(fixture(), emptyBasemap(), { width: 199 })).toThrow('width: 199 is not a whole number of pixels from 200 to 8000');
    expect(() => renderMapPng(fixture(), emptyBasemap(), { height: 612.5 })).toThrow('height: 612.5 is not a whole number of pixels from 200 to 8000');
    expect(() => renderMapPng(fixture(), emptyBasemap(), { width: 8001 })).toThrow('width: 8001 is not a whole number of pixels from 200 to 8000');
  });

  it("paints each cell's centre in the app's colour for the cell, over the basemap's ground", async () => {
    const s = fixture();
    const img = await decode(renderMapPng(s, emptyBasemap(), SIZE));
    const f = mapFrame(s, SIZE.width, SIZE.height);
    const sel = selectionOf(s);
    // cell 0 carries a station; the others cover every case at least twice
    for (let i = 1; i < H3.length; i++) {
      const [r, g, b, a] = cellColour(sel, s.cells.distM.elderly_care[i], s.cells.residents[i], s.cells.elderly[i]);
      expectColour(img.at(f.x(s.cells.lon[i]), f.y(s.cells.lat[i])), over([r, g, b], a, GROUND));
    }
    // the map's ground outside the cells is style.ts's background
    expectColour(img.at(f.rect.x + 3, f.rect.y + 3), GROUND);
  });

  it('paints a gap cell in the gap magenta', async () => {
    const s = fixture();
    const img = await decode(renderMapPng(s, emptyBasemap(), SIZE));
    const f = mapFrame(s, SIZE.width, SIZE.height);
    const gap = CASES.findIndex(([d, , e]) => d === 900 && e > 0);
    expectColour(img.at(f.x(s.cells.lon[gap]), f.y(s.cells.lat[gap])), over(GAP_RGB, ALPHA_POPULATED, GROUND));
  });

  it('draws the cells over the basemap: over water a cell is its colour composited on the water', async () => {
    const s = fixture();
    const [w, south, e, n] = s.city.bbox;
    const basemap: Basemap = emptyBasemap();
    basemap.water.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[w, south], [e, south], [e, n], [w, n], [w, south]]] } });
    const img = await decode(renderMapPng(s, basemap, SIZE));
    const f = mapFrame(s, SIZE.width, SIZE.height);
    const [r, g, b, a] = cellColour(selectionOf(s), s.cells.distM.elderly_care[1], s.cells.residents[1], s.cells.elderly[1]);
    expectColour(img.at(f.x(s.cells.lon[1]) + 0, f.y(s.cells.lat[1])), over([r, g, b], a, WATER));
  });

  it('leaves no pale seam where two cells of different colours meet', async () => {
    // Along the edge of two cells of the same alpha each covers part of a pixel, and the pixel must be a mix of
    // the two cells' colours: on the line between them in RGB. Two antialiased fills laid one over the other let
    // the ground through twice instead (up to 0.45 of it where each covers half the pixel, not 0.34): a pale seam,
    // some 15 levels off that line towards the ground.
    const s = fixture();
    const img = await decode(renderMapPng(s, emptyBasemap(), SIZE));
    const f = mapFrame(s, SIZE.width, SIZE.height);
    const sel = selectionOf(s);
    // cells 0 and 1 are neighbours (ring 1 of the disk), ≤ 5 and ≤ 10 min, both with elderly
    const [pa, pb] = [0, 1].map((i) => {
      const [r, g, b, a] = cellColour(sel, s.cells.distM.elderly_care[i], s.cells.residents[i], s.cells.elderly[i]);
      return over([r, g, b], a, GROUND);
    });
    const a = cellToBoundary(H3[0]);
    const shared = cellToBoundary(H3[1]).filter(([la, lo]) => a.some(([lb, lob]) => Math.abs(la - lb) + Math.abs(lo - lob) < 1e-9));
    expect(shared).toHaveLength(2);
    const [[lat0, lon0], [lat1, lon1]] = shared;
    const ab = [0, 1, 2].map((k) => pb[k] - pa[k]);
    const ab2 = ab.reduce((sum, v) => sum + v * v, 0);
    let worst = 0;
    for (let t = 0.1; t <= 0.9; t += 0.01) {
      const p = img.at(f.x(lon0 + t * (lon1 - lon0)), f.y(lat0 + t * (lat1 - lat0)));
      const u = Math.min(1, Math.max(0, [0, 1, 2].reduce((sum, k) => sum + (p[k] - pa[k]) * ab[k], 0) / ab2));
      worst = Math.max(worst, Math.hypot(...[0, 1, 2].map((k) => p[k] - (pa[k] + u * ab[k]))));
    }
    // the rounding of each channel (≤ 2 levels, see ROUNDING) and no more
    expect(worst).toBeLessThanOrEqual(Math.hypot(ROUNDING, ROUNDING, ROUNDING));
  });

  it("draws the view category's stations in its colour and no other category's", async () => {
    const s = fixture();
    const img = await decode(renderMapPng(s, emptyBasemap(), SIZE));
    const f = mapFrame(s, SIZE.width, SIZE.height);
    expect(img.at(f.x(s.stations[0].lon), f.y(s.stations[0].lat))).toEqual(ELDERLY_CARE_RGB);
    const pharmacy = img.at(f.x(s.stations[1].lon), f.y(s.stations[1].lat));
    expect(pharmacy).not.toEqual(PHARMACY_RGB);
    const [r, g, b, a] = cellColour(selectionOf(s), s.cells.distM.elderly_care[1], s.cells.residents[1], s.cells.elderly[1]);
    expectColour(pharmacy, over([r, g, b], a, GROUND));
  });

  it("colours a scenario's cells beyond its reach as the app does: beyond where the baseline reaches, unreachable where not", async () => {
    const base = fixture();
    const reachM = 750;
    // the scenario keeps metres within its reach only
    const kept = base.cells.distM.elderly_care.map((d) => (d !== null && d <= reachM ? d : null));
    const far = CASES.findIndex(([d, , e]) => d === 900 && e > 0);
    const cases = [
      // a baseline station (not added): the baseline reaches every cell, null is beyond the reach
      { stations: [station('s0', 'elderly_care', H3[0])], baseline: base.cells.distM.elderly_care.map(() => 2000) },
      // only an added station: the baseline reaches nothing, null is unreachable
      { stations: [station('s0', 'elderly_care', H3[0], { added: true })], baseline: base.cells.distM.elderly_care.map(() => null) },
    ];
    const colours: RGB[] = [];
    for (const c of cases) {
      const s: SnapshotData = { ...base, scenario: { id: 'a', name: '方案 A', version: 2 }, city: { ...base.city, reachM }, stations: c.stations, cells: { ...base.cells, distM: { ...base.cells.distM, elderly_care: kept } } };
      const img = await decode(renderMapPng(s, emptyBasemap(), SIZE));
      const f = mapFrame(s, SIZE.width, SIZE.height);
      const app = scenarioDistances(c.baseline, kept);
      const [r, g, b, a] = cellColour(selectionOf(s), app[far], s.cells.residents[far], s.cells.elderly[far]);
      colours.push(img.at(f.x(s.cells.lon[far]), f.y(s.cells.lat[far])));
      expectColour(colours.at(-1)!, over([r, g, b], a, GROUND));
    }
    // the two readings do differ: the test tells them apart
    expect(colours[0]).not.toEqual(colours[1]);
  });

  it("draws the title's own glyphs, whatever it holds", async () => {
    const s = fixture();
    const title = pageLayout(s, SIZE.width, SIZE.height).title;
    const render = async (t: string) => decode(renderMapPng({ ...s, title: t }, emptyBasemap(), SIZE));
    const [empty, quoted, ab, ba] = await Promise.all(['', s.title, '养老', '老养'].map(render));
    expect(empty.ink(title)).toBe(0);
    expect(quoted.ink(title)).toBeGreaterThan(500);
    // a font without these glyphs draws the same two boxes for both: the CJK face is really used
    expect(ab.ink(title)).toBeGreaterThan(50);
    expect(ab.region(title).equals(ba.region(title))).toBe(false);
  });

  it('changes the words with the language and nothing of the map', async () => {
    const s = fixture();
    const layout = pageLayout(s, SIZE.width, SIZE.height);
    const [zh, en] = await Promise.all((['zh', 'en'] as const).map(async (lang) => decode(renderMapPng(s, emptyBasemap(), { ...SIZE, lang }))));
    expect(zh.region(layout.legend).equals(en.region(layout.legend))).toBe(false);
    expect(zh.region(layout.subtitle).equals(en.region(layout.subtitle))).toBe(false);
    expect(zh.region(layout.map).equals(en.region(layout.map))).toBe(true);
    // the credits stay as given
    expect(zh.region(layout.footer).equals(en.region(layout.footer))).toBe(true);
    expect(zh.ink(layout.footer)).toBeGreaterThan(100);
  });
});

describe('the PNG map of Harbin', () => {
  let h: Built;
  let s: SnapshotData;
  let basemap: Basemap;
  beforeAll(async () => {
    h = await buildHarbin();
    const city = new CityContext(await readCity(h.db.conn));
    s = buildSnapshot(city, new ScenarioModel(city), null, { name: 'harbin', title: '哈尔滨 社区服务 10 分钟覆盖', description: '', view: { category: 'community_service', tier: 10, speed: 'elderly' } });
    basemap = await readBasemap(h.db.conn);
  });
  afterAll(() => h?.dispose());

  it('renders the city with its basemap (its time is measured by npm run bench:publish, not here)', async () => {
    const img = await decode(renderMapPng(s, basemap));
    expect([img.width, img.height]).toEqual([1600, 1200]);
  });

  it("paints sampled cells' centres in the app's colours (no outlines, stations or basemap over them)", async () => {
    // outlines and stations cross cell centres anywhere in a real city: leave them out to see every cell's fill
    const bare: SnapshotData = { ...s, communities: [], gaps: [], joints: [], stations: [] };
    const img = await decode(renderMapPng(bare, emptyBasemap()));
    const f = mapFrame(bare, 1600, 1200);
    const sel = selectionOf(bare);
    const random = seeded(7);
    const n = bare.cells.h3.length;
    const colours = new Set<string>();
    for (let k = 0; k < 400; k++) {
      const i = Math.floor(random() * n);
      const [r, g, b, a] = cellColour(sel, bare.cells.distM.community_service[i], bare.cells.residents[i], bare.cells.elderly[i]);
      colours.add(`${r},${g},${b},${a}`);
      expectColour(img.at(f.x(bare.cells.lon[i]), f.y(bare.cells.lat[i])), over([r, g, b], a, GROUND));
    }
    // the sample spans the ramp and the gap, not one colour
    expect(colours.size).toBeGreaterThanOrEqual(4);
  });
});
