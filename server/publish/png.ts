/**
 * The PNG of a published map, drawn on the server with skia (@napi-rs/canvas), for printing and for slides: the
 * city's own basemap, pale; the demand cells in the web app's own colours (cellColour and palette.ts are imported,
 * so the legend and the map can never disagree with the app); community, joint-community and gap outlines; the view
 * category's stations; and the furniture of a printed map: title, subtitle, date, legend, scale bar, north arrow and
 * the data credits.
 *
 * Drawing order, bottom to top, as in the app (MapView.svelte slides the basemap beneath the cells):
 *   page → basemap (green, water, roads, district lines) → cells → outlines → stations → furniture.
 * Everything of one style goes into one Path2D and is filled or stroked once: a Path2D per feature would be
 * ~30,000 native objects for Harbin.
 */
import { createCanvas, GlobalFonts, Path2D, type SKRSContext2D } from '@napi-rs/canvas';
import type { Geometry, Position } from 'geojson';
import { cellToBoundary } from 'h3-js';
import { FONT_FILE } from '../config.ts';
import type { Basemap } from '../core/tiles.ts';
import { ALPHA_EMPTY, ALPHA_POPULATED, cellColour, type CellSelection } from '../../web/src/map/cellStyle.ts';
import {
  COMMUNITY_LINE, GAP, GAP_OUTLINE, GAP_UNREACHABLE, JOINT_FAIL, JOINT_PASS, RAMP, STATION_ADDED_RING, STATION_CLOSED, UNREACHABLE,
  categoryColours,
} from '../../web/src/lib/palette.ts';
import type { GeoMultiPolygon, SnapshotData } from './types.ts';

/** The font family the map's text is drawn in: our registration of FONT_FILE, never a system font of that name. */
const FAMILY = 'LifecircleMapFont';
let fontRegistered = false;

/** Register the CJK font once per process (skia keeps it for every later canvas). */
function registerFont(): void {
  if (fontRegistered) return;
  if (!GlobalFonts.registerFromPath(FONT_FILE, FAMILY)) throw new Error(`cannot load the map font ${FONT_FILE}`);
  fontRegistered = true;
}

/**
 * Basemap colours: the LIGHT palette of web/src/map/style.ts (copied: style.ts does not export it). Keep in step
 * with that file; tests/publish-png.test.ts checks the background against basemapStyle().
 */
const BASE = {
  background: '#f5f4f1',
  water: '#d3dee6',
  waterLine: '#bfcfdb',
  green: '#e4ebdc',
  wood: '#dae4d1',
  casing: '#dcd8d1',
  major: '#ffffff',
  trunk: '#f8e9cc',
  trunkCasing: '#e2ceaa',
  rail: '#b3aea7',
  boundary: '#a39cb0',
} as const;

/** Green classes drawn in the darker wood shade, as style.ts matches them. */
const WOOD = new Set(['forest', 'wood', 'scrub']);

/** Page furniture: ink for text, a quieter grey for secondary text and rules. */
const INK = '#1f1f24';
const MUTED = '#5b5b66';
const RULE = '#b9b4ac';
const PAGE = '#ffffff';

export interface RenderOptions {
  /** Pixels; default 1600. */
  width?: number;
  /** Pixels; default 1200. */
  height?: number;
  /** Language of every label; default 'zh'. */
  lang?: 'zh' | 'en';
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Where everything goes on the page, in pixels. `unit` scales every size from the 1600 × 1200 design. */
export interface PageLayout {
  unit: number;
  title: Rect;
  subtitle: Rect;
  map: Rect;
  legend: Rect;
  footer: Rect;
}

/** The map projection: Web Mercator fitted to the city's bbox inside the layout's map rectangle. */
export interface MapFrame {
  /** Page x of a longitude. */
  x(lon: number): number;
  /** Page y of a latitude. */
  y(lat: number): number;
  /** The map rectangle on the page (everything map-like is clipped to it). */
  rect: Rect;
  /** Ground metres per pixel at the bbox's middle latitude (for the scale bar). */
  metresPerPixel: number;
}

const DEFAULT_WIDTH = 1600;
const DEFAULT_HEIGHT = 1200;
/** Below this the legend column leaves no room for the map. */
const MIN_SIDE = 200;
/** Skia's raster limit is far higher; this keeps one request from allocating gigabytes. */
const MAX_SIDE = 8000;
/** Space around the city's bbox inside the map rectangle, as a share of its side. */
const FIT_MARGIN = 0.03;
/** Equatorial circumference of the Web Mercator sphere, metres. */
const WORLD_M = 40_075_016.686;
/** The least bbox side fitted to the map, in world units (1 km at the equator). */
const MIN_SPAN = 1000 / WORLD_M;

/**
 * The page layout: a header (title, subtitle, date) across the top, the map on the left, the legend in a column on
 * the right, the credits along the bottom (one line per `s.attribution` entry). Nothing overlaps the map.
 */
export function pageLayout(s: SnapshotData, width: number, height: number): PageLayout {
  const u = Math.min(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT);
  const pad = 30 * u;
  const headerBottom = pad + 100 * u;
  const footerH = (10 + 19 * Math.max(1, s.attribution.length)) * u + pad * 0.6;
  const legendW = 340 * u;
  const gutter = 24 * u;
  const map = { x: pad, y: headerBottom, w: width - 2 * pad - legendW - gutter, h: height - headerBottom - footerH };
  return {
    unit: u,
    title: { x: pad, y: pad, w: width - 2 * pad - 230 * u, h: 44 * u },
    subtitle: { x: pad, y: pad + 52 * u, w: width - 2 * pad, h: 28 * u },
    map,
    legend: { x: map.x + map.w + gutter, y: map.y, w: legendW, h: map.h },
    footer: { x: pad, y: height - footerH + 6 * u, w: width - 2 * pad, h: footerH - pad * 0.6 },
  };
}

const mercX = (lon: number) => (lon + 180) / 360;
const mercY = (lat: number) => {
  const sin = Math.sin((lat * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
};

/**
 * The projection of the map on a `width` × `height` page: Web Mercator (as the app's map), north up, the city's
 * bbox centred and fitted with a small margin into the layout's map rectangle.
 * @example const f = mapFrame(s, 1600, 1200); ctx.getImageData(Math.floor(f.x(lon)), Math.floor(f.y(lat)), 1, 1)
 */
export function mapFrame(s: SnapshotData, width: number, height: number): MapFrame {
  const rect = pageLayout(s, width, height).map;
  const [w, south, e, n] = s.city.bbox;
  // a point-sized bbox (one cell, one station) would divide by zero: give it at least ~1 km
  const spanX = Math.max(mercX(e) - mercX(w), MIN_SPAN);
  const spanY = Math.max(mercY(south) - mercY(n), MIN_SPAN);
  const scale = Math.min((rect.w * (1 - 2 * FIT_MARGIN)) / spanX, (rect.h * (1 - 2 * FIT_MARGIN)) / spanY);
  const cx = (mercX(w) + mercX(e)) / 2;
  const cy = (mercY(n) + mercY(south)) / 2;
  const ox = rect.x + rect.w / 2 - cx * scale;
  const oy = rect.y + rect.h / 2 - cy * scale;
  const midLat = (((south + n) / 2) * Math.PI) / 180;
  return {
    x: (lon) => ox + mercX(lon) * scale,
    y: (lat) => oy + mercY(lat) * scale,
    rect,
    metresPerPixel: (WORLD_M * Math.cos(midLat)) / scale,
  };
}

/**
 * The PNG of a published map (default 1600 × 1200, Chinese labels). Synchronous: about half a second for Harbin;
 * call it once when publishing and keep the bytes.
 * @throws RangeError for a width or height that is not a whole number from 200 to 8000.
 * @example writeFileSync('map.png', renderMapPng(snapshot, await readBasemap(conn), { lang: 'en' }))
 */
export function renderMapPng(s: SnapshotData, basemap: Basemap, options: RenderOptions = {}): Buffer {
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < MIN_SIDE || v > MAX_SIDE) throw new RangeError(`${name}: ${v} is not a whole number of pixels from ${MIN_SIDE} to ${MAX_SIDE}`);
  }
  registerFont();
  const words = WORDS[options.lang ?? 'zh'];
  const layout = pageLayout(s, width, height);
  const frame = mapFrame(s, width, height);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = PAGE;
  ctx.fillRect(0, 0, width, height);

  const { rect } = frame;
  ctx.save();
  ctx.beginPath();
  ctx.rect(rect.x, rect.y, rect.w, rect.h);
  ctx.clip();
  ctx.fillStyle = BASE.background;
  ctx.fillRect(rect.x, rect.y, rect.w, rect.h);
  drawBasemap(ctx, frame, basemap, layout.unit);
  drawCells(ctx, frame, s);
  drawOutlines(ctx, frame, s, layout.unit);
  drawStations(ctx, frame, s, layout.unit);
  ctx.restore();
  ctx.strokeStyle = RULE;
  ctx.lineWidth = Math.max(1, layout.unit);
  ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);

  drawHeader(ctx, layout, s, words);
  drawLegend(ctx, layout, frame, s, words);
  drawFooter(ctx, layout, s);
  return canvas.encodeSync('png', { title: oneLine(s.title), copyright: s.attribution.join('; '), software: 'lifecircle' });
}

// ---------------------------------------------------------------------------------------------------------------
// Paths. Vertices closer than MIN_STEP pixels to the previous kept one are dropped: at city scale most street
// vertices fall within a pixel of each other, and each one kept is a call into skia.

const MIN_STEP = 0.4;

function addLine(path: Path2D, f: MapFrame, line: Position[], close: boolean): void {
  const n = line.length;
  if (n < 2) return;
  let px = f.x(line[0][0]);
  let py = f.y(line[0][1]);
  path.moveTo(px, py);
  for (let i = 1; i < n; i++) {
    const x = f.x(line[i][0]);
    const y = f.y(line[i][1]);
    if (i < n - 1 && Math.abs(x - px) + Math.abs(y - py) < MIN_STEP) continue;
    path.lineTo(x, y);
    px = x;
    py = y;
  }
  if (close) path.closePath();
}

function addMultiPolygon(path: Path2D, f: MapFrame, polygons: GeoMultiPolygon | Position[][][]): void {
  for (const polygon of polygons) for (const ring of polygon) addLine(path, f, ring, true);
}

/** A GeoJSON geometry's lines (or polygon rings) into `path`; points are ignored. */
function addGeometry(path: Path2D, f: MapFrame, g: Geometry | null): void {
  if (!g) return;
  switch (g.type) {
    case 'LineString':
      return addLine(path, f, g.coordinates, false);
    case 'MultiLineString':
      for (const line of g.coordinates) addLine(path, f, line, false);
      return;
    case 'Polygon':
      for (const ring of g.coordinates) addLine(path, f, ring, true);
      return;
    case 'MultiPolygon':
      return addMultiPolygon(path, f, g.coordinates);
    case 'GeometryCollection':
      for (const part of g.geometries) addGeometry(path, f, part);
      return;
  }
}

const isArea = (g: Geometry | null) => g?.type === 'Polygon' || g?.type === 'MultiPolygon';

function stroke(ctx: SKRSContext2D, path: Path2D, colour: string, width: number, dash: number[] = []): void {
  ctx.strokeStyle = colour;
  ctx.lineWidth = width;
  ctx.setLineDash(dash);
  ctx.stroke(path);
  ctx.setLineDash([]);
}

function fill(ctx: SKRSContext2D, path: Path2D, colour: string): void {
  ctx.fillStyle = colour;
  ctx.fill(path);
}

// ---------------------------------------------------------------------------------------------------------------
// Basemap

/**
 * Road classes drawn, bottom to top, with widths in design pixels (about style.ts's widths at zoom 11–12, the
 * scale a city fills 1200 px at) and whether they get a casing. Service roads and paths are left out: at city
 * scale they are a grey haze that fights the cells. Minor streets are one faint hairline in the casing colour.
 */
const ROADS: Array<{ classes: string[]; width: number; colour: string; casing?: string; dash?: number[] }> = [
  { classes: ['minor'], width: 0.6, colour: BASE.casing },
  { classes: ['rail'], width: 1, colour: BASE.rail, dash: [4, 3] },
  { classes: ['tertiary'], width: 1.1, colour: BASE.major, casing: BASE.casing },
  { classes: ['secondary'], width: 1.5, colour: BASE.major, casing: BASE.casing },
  { classes: ['primary'], width: 2, colour: BASE.major, casing: BASE.casing },
  { classes: ['trunk', 'motorway'], width: 2.6, colour: BASE.trunk, casing: BASE.trunkCasing },
];

function drawBasemap(ctx: SKRSContext2D, f: MapFrame, basemap: Basemap, u: number): void {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const green = new Path2D();
  const wood = new Path2D();
  for (const feature of basemap.green.features) addGeometry(WOOD.has(feature.properties?.class) ? wood : green, f, feature.geometry);
  fill(ctx, green, BASE.green);
  fill(ctx, wood, BASE.wood);

  const water = new Path2D();
  const rivers = new Path2D();
  const streams = new Path2D();
  for (const feature of basemap.water.features) {
    const target = isArea(feature.geometry) ? water : feature.properties?.class === 'stream' ? streams : rivers;
    addGeometry(target, f, feature.geometry);
  }
  fill(ctx, water, BASE.water);
  stroke(ctx, streams, BASE.waterLine, 0.6 * u);
  stroke(ctx, rivers, BASE.waterLine, 1.4 * u);

  const paths = new Map<string, Path2D>();
  for (const r of ROADS) {
    const path = new Path2D();
    for (const c of r.classes) paths.set(c, path);
  }
  for (const feature of basemap.roads.features) {
    const path = paths.get(feature.properties?.class);
    if (path) addGeometry(path, f, feature.geometry);
  }
  for (const r of ROADS) {
    const path = paths.get(r.classes[0])!;
    if (r.casing) stroke(ctx, path, r.casing, (r.width + 1.2) * u);
    stroke(ctx, path, r.colour, r.width * u, r.dash?.map((d) => d * u));
  }

  // districts only (admin_level 6): the communities the map counts are drawn in their own colour on top
  const districts = new Path2D();
  for (const feature of basemap.boundaries.features) if (Number(feature.properties?.admin_level) === 6) addGeometry(districts, f, feature.geometry);
  ctx.globalAlpha = 0.9;
  stroke(ctx, districts, BASE.boundary, 1.2 * u, [4 * u, 2 * u]);
  ctx.globalAlpha = 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Cells

/** The app's cell colouring for the snapshot's view (gaps weighted by the elderly, as every snapshot is). */
export function viewSelection(s: SnapshotData): CellSelection {
  return { category: s.view.category, tier: s.view.tier, speedMPerMin: s.city.speeds[s.view.speed], weighting: 'elderly', tiers: s.city.tiers };
}

/**
 * The view category's metres per cell, as the app colours them. A scenario's snapshot keeps metres only within its
 * reach (`city.reachM`) and null beyond, which the app (cellStyle.ts, scenarioDistances) reads as "beyond the reach"
 * (Infinity: the last ramp step, or the gap) where the baseline reaches the cell, and "unreachable" where it does
 * not. The snapshot keeps no baseline metres, so here the baseline reaches every cell when the category has a
 * baseline station (one the scenario did not add) and none when it has not. That is the app's colour except for a
 * cell cut off from every baseline station by the network (an island), shown beyond reach instead of unreachable.
 */
export function viewDistances(s: SnapshotData): Array<number | null> {
  const dist = s.cells.distM[s.view.category] ?? [];
  const n = s.cells.h3.length;
  const out: Array<number | null> = new Array(n);
  const beyond = s.city.reachM !== null && s.stations.some((st) => st.category === s.view.category && !st.added) ? Infinity : null;
  for (let i = 0; i < n; i++) out[i] = dist[i] ?? beyond;
  return out;
}

/**
 * The cells, one Path2D per colour. They are filled into a layer of their own with 'lighter' (additive) compositing
 * and the layer is then laid over the basemap: along the edge of two differently coloured cells each gets its
 * share of the pixel's coverage and the shares add up to the cells' alpha. Filled directly with source-over, the
 * two partial coverages would compound to less than that and leave a pale seam around every cell.
 */
function drawCells(ctx: SKRSContext2D, f: MapFrame, s: SnapshotData): void {
  const { h3, residents, elderly } = s.cells;
  const dist = viewDistances(s);
  const sel = viewSelection(s);
  const paths = new Map<string, Path2D>();
  for (let i = 0; i < h3.length; i++) {
    const [r, g, b, a] = cellColour(sel, dist[i], residents[i], elderly[i]);
    const key = `rgba(${r},${g},${b},${a})`;
    let path = paths.get(key);
    if (!path) paths.set(key, (path = new Path2D()));
    const ring = cellToBoundary(h3[i]);
    path.moveTo(f.x(ring[0][1]), f.y(ring[0][0]));
    for (let k = 1; k < ring.length; k++) path.lineTo(f.x(ring[k][1]), f.y(ring[k][0]));
    path.closePath();
  }
  const { rect } = f;
  const x0 = Math.floor(rect.x);
  const y0 = Math.floor(rect.y);
  const layer = createCanvas(Math.ceil(rect.x + rect.w) - x0, Math.ceil(rect.y + rect.h) - y0);
  const lc = layer.getContext('2d');
  lc.translate(-x0, -y0);
  lc.globalCompositeOperation = 'lighter';
  for (const [colour, path] of paths) fill(lc, path, colour);
  ctx.drawImage(layer, x0, y0);
}

// ---------------------------------------------------------------------------------------------------------------
// Outlines and stations

function drawOutlines(ctx: SKRSContext2D, f: MapFrame, s: SnapshotData, u: number): void {
  ctx.lineJoin = 'round';
  const communities = new Path2D();
  for (const c of s.communities) addMultiPolygon(communities, f, c.geometry);
  ctx.globalAlpha = 0.85;
  stroke(ctx, communities, COMMUNITY_LINE, 1.1 * u);
  ctx.globalAlpha = 1;

  const gaps = new Path2D();
  for (const g of s.gaps) addMultiPolygon(gaps, f, g.geometry);
  stroke(ctx, gaps, GAP_OUTLINE, 1.4 * u);

  const pass = new Path2D();
  const failed = new Path2D();
  for (const j of s.joints) addMultiPolygon(j.pass ? pass : failed, f, j.geometry);
  stroke(ctx, pass, JOINT_PASS, 3.5 * u);
  stroke(ctx, failed, JOINT_FAIL, 3.5 * u);
}

/** Station disc radii and ring widths, design pixels (the app's selected-category sizes at zoom ~12). */
const STATION = { radius: 4.5, addedRadius: 6.5, ring: 1.2, addedRing: 2.5 };

function drawStations(ctx: SKRSContext2D, f: MapFrame, s: SnapshotData, u: number): void {
  const colour = categoryColours(s.categories.map((c) => c.id))[s.view.category] ?? INK;
  const closed = new Path2D();
  const open = new Path2D();
  const added = new Path2D();
  for (const st of s.stations) {
    if (st.category !== s.view.category) continue;
    const target = !st.open ? closed : st.added ? added : open;
    const r = (st.added && st.open ? STATION.addedRadius : STATION.radius) * u;
    const x = f.x(st.lon);
    const y = f.y(st.lat);
    target.moveTo(x + r, y);
    target.arc(x, y, r, 0, 2 * Math.PI);
    target.closePath();
  }
  // closed below open below added: what the scenario proposes must never be hidden
  ctx.globalAlpha = 0.8;
  fill(ctx, closed, STATION_CLOSED);
  stroke(ctx, closed, PAGE, STATION.ring * u);
  ctx.globalAlpha = 1;
  stroke(ctx, open, PAGE, 2 * STATION.ring * u);
  fill(ctx, open, colour);
  stroke(ctx, added, STATION_ADDED_RING, 2 * STATION.addedRing * u);
  fill(ctx, added, colour);
}

// ---------------------------------------------------------------------------------------------------------------
// Words. The app's own (web/src/lib/i18n.svelte.ts holds them in a runes module the server cannot import); keep
// them in step with its `legend.*`, `controls.*` and `scenario.*` entries.

interface Words {
  lang: 'zh' | 'en';
  tier(n: number): string;
  speed: Record<'general' | 'elderly', string>;
  mPerMin(n: number): string;
  baseline: string;
  scenario(name: string, version: number): string;
  published(date: string): string;
  minutes(category: string): string;
  within(n: number): string;
  beyond(n: number): string;
  gap(n: number): string;
  gapUnreachable: string;
  unreachable: string;
  gapCluster: string;
  communities: string;
  jointPass: string;
  jointFail: string;
  facilities: string;
  added: string;
  closed: string;
  metres(n: number): string;
  north: string;
  separator: string;
}

const WORDS: Record<'zh' | 'en', Words> = {
  zh: {
    lang: 'zh',
    tier: (n) => `${n} 分钟生活圈`,
    speed: { general: '一般人群步速', elderly: '老年人步速' },
    mPerMin: (n) => `${n} 米/分`,
    baseline: '基准（现状）',
    scenario: (name, v) => `方案：${name}（第 ${v} 版）`,
    published: (d) => `发布于 ${d}`,
    minutes: (c) => `步行到最近${c}（分钟）`,
    within: (n) => `≤ ${n} 分钟`,
    beyond: (n) => `> ${n} 分钟`,
    gap: (n) => `缺口：超出 ${n} 分钟且有老年人`,
    gapUnreachable: '缺口：有老年人但任何设施都无法步行到达',
    unreachable: '无法到达且无人居住',
    gapCluster: '缺口片区（按老年人排序）',
    communities: '街道/社区边界',
    jointPass: '联合社区：符合规定',
    jointFail: '联合社区：不符合规定',
    facilities: '设施',
    added: '新增站点',
    closed: '停用站点',
    metres: (m) => (m >= 1000 ? `${m / 1000} 公里` : `${m} 米`),
    north: '北',
    separator: ' · ',
  },
  en: {
    lang: 'en',
    tier: (n) => `${n}-minute life circle`,
    speed: { general: 'general walking speed', elderly: 'elderly walking speed' },
    mPerMin: (n) => `${n} m/min`,
    baseline: 'Baseline (as is)',
    scenario: (name, v) => `Scenario: ${name} (version ${v})`,
    published: (d) => `Published ${d}`,
    minutes: (c) => `Walk to the nearest ${c} (minutes)`,
    within: (n) => `≤ ${n} min`,
    beyond: (n) => `> ${n} min`,
    gap: (n) => `Gap: beyond ${n} min, with elderly`,
    gapUnreachable: 'Gap: elderly with no facility reachable at all',
    unreachable: 'Unreachable, nobody lives there',
    gapCluster: 'Gap clusters (ranked by elderly)',
    communities: 'Community boundaries',
    jointPass: 'Joint community: rule met',
    jointFail: 'Joint community: rule not met',
    facilities: 'Facilities',
    added: 'Added station',
    closed: 'Closed station',
    metres: (m) => (m >= 1000 ? `${m / 1000} km` : `${m} m`),
    north: 'N',
    separator: ' · ',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Furniture

const font = (px: number, bold = false) => `${bold ? 'bold ' : ''}${px.toFixed(2)}px ${FAMILY}`;

/** Text is drawn as given, on one line: control characters (a pasted newline, a tab) become spaces. */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** `text` cut with an ellipsis to fit `maxWidth` in the context's current font. */
function fit(ctx: SKRSContext2D, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(chars.slice(0, mid).join('') + '…').width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return chars.slice(0, lo).join('').trimEnd() + '…';
}

/**
 * `text` broken into lines of at most `maxWidth`: after a space where there is one in the line (English), else
 * between any two characters (Chinese has no spaces).
 */
function wrap(ctx: SKRSContext2D, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let rest = Array.from(text);
  while (rest.length && ctx.measureText(rest.join('')).width > maxWidth) {
    let n = 1;
    while (n < rest.length && ctx.measureText(rest.slice(0, n + 1).join('')).width <= maxWidth) n++;
    const space = rest.lastIndexOf(' ', n);
    const cut = space > 0 && space <= n ? space : n;
    lines.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ') rest.shift();
  }
  if (rest.length) lines.push(rest.join(''));
  return lines;
}

/** "YYYY-MM-DD" of an ISO timestamp, in UTC as it is stored; the text itself if it is no date. */
function isoDate(stamp: string): string {
  const t = Date.parse(stamp);
  return Number.isNaN(t) ? stamp.slice(0, 10) : new Date(t).toISOString().slice(0, 10);
}

function categoryName(s: SnapshotData, w: Words): string {
  const c = s.categories.find((k) => k.id === s.view.category);
  return c ? c[w.lang] : s.view.category;
}

function drawHeader(ctx: SKRSContext2D, l: PageLayout, s: SnapshotData, w: Words): void {
  const u = l.unit;
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillStyle = INK;
  ctx.font = font(32 * u, true);
  ctx.fillText(fit(ctx, oneLine(s.title), l.title.w), l.title.x, l.title.y + 34 * u);

  const parts = [
    oneLine(s.city.name),
    categoryName(s, w),
    w.tier(s.view.tier),
    `${w.speed[s.view.speed]} ${w.mPerMin(s.city.speeds[s.view.speed])}`,
    s.scenario ? w.scenario(oneLine(s.scenario.name), s.scenario.version) : w.baseline,
  ].filter(Boolean);
  ctx.fillStyle = MUTED;
  ctx.font = font(18 * u);
  ctx.fillText(fit(ctx, parts.join(w.separator), l.subtitle.w), l.subtitle.x, l.subtitle.y + 20 * u);

  ctx.textAlign = 'right';
  ctx.font = font(16 * u);
  ctx.fillText(w.published(isoDate(s.publishedAt)), l.subtitle.x + l.subtitle.w, l.title.y + 30 * u);
  ctx.textAlign = 'left';
}

/** A hexagon swatch (the cells' shape), pointy-top as H3 cells look at these latitudes, centred at x, y. */
function hexagon(cx: number, cy: number, r: number): Path2D {
  const p = new Path2D();
  for (let k = 0; k < 6; k++) {
    const a = Math.PI / 6 + (k * Math.PI) / 3;
    if (k === 0) p.moveTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
    else p.lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  p.closePath();
  return p;
}

/**
 * The legend column: the ramp and gap colours as the map shows them (each swatch is the colour at the cells' alpha
 * over the basemap's ground, so a swatch matches a cell pixel for pixel), the outlines, the stations, and at the
 * foot the scale bar and north arrow.
 */
function drawLegend(ctx: SKRSContext2D, l: PageLayout, f: MapFrame, s: SnapshotData, w: Words): void {
  const u = l.unit;
  const { x, w: width } = l.legend;
  const textX = x + 34 * u;
  const textW = width - 34 * u;
  const row = 27 * u;
  let y = l.legend.y + 4 * u;

  const caption = (text: string) => {
    ctx.font = font(16 * u, true);
    ctx.fillStyle = INK;
    for (const line of wrap(ctx, text, width)) {
      y += 22 * u;
      ctx.fillText(line, x, y);
    }
    y += 10 * u;
  };
  /** One legend row: a symbol drawn by `symbol` at the row's centre, then its label (wrapped if long). */
  const item = (label: string, symbol: (cx: number, cy: number) => void) => {
    ctx.font = font(15 * u);
    const lines = wrap(ctx, label, textW);
    const cy = y + row / 2;
    symbol(x + 12 * u, cy);
    ctx.font = font(15 * u);
    ctx.fillStyle = INK;
    ctx.textBaseline = 'middle';
    lines.forEach((line, i) => ctx.fillText(line, textX, cy + i * 19 * u));
    ctx.textBaseline = 'alphabetic';
    y += row + (lines.length - 1) * 19 * u;
  };
  const cellSwatch = (colour: string, alpha: number) => (cx: number, cy: number) => {
    const hex = hexagon(cx, cy, 10.5 * u);
    fill(ctx, hex, BASE.background);
    ctx.globalAlpha = alpha;
    fill(ctx, hex, colour);
    ctx.globalAlpha = 1;
    stroke(ctx, hex, RULE, 0.6 * u);
  };
  const lineSwatch = (colour: string, width: number, outline = false) => (cx: number, cy: number) => {
    const p = new Path2D();
    if (outline) p.rect(cx - 10 * u, cy - 7 * u, 20 * u, 14 * u);
    else {
      p.moveTo(cx - 11 * u, cy);
      p.lineTo(cx + 11 * u, cy);
    }
    stroke(ctx, p, colour, width * u);
  };
  const disc = (colour: string, r: number, ring: string, ringW: number) => (cx: number, cy: number) => {
    const p = new Path2D();
    p.arc(cx, cy, r * u, 0, 2 * Math.PI);
    stroke(ctx, p, ring, 2 * ringW * u);
    fill(ctx, p, colour);
  };

  const category = categoryName(s, w);
  caption(w.minutes(category));
  const steps = s.city.tiers.slice(0, RAMP.length - 1);
  steps.forEach((tier, i) => item(w.within(tier), cellSwatch(RAMP[i], ALPHA_POPULATED)));
  if (steps.length) item(w.beyond(steps[steps.length - 1]), cellSwatch(RAMP[RAMP.length - 1], ALPHA_POPULATED));
  item(w.gap(s.view.tier), cellSwatch(GAP, ALPHA_POPULATED));
  item(w.gapUnreachable, cellSwatch(GAP_UNREACHABLE, ALPHA_POPULATED));
  item(w.unreachable, cellSwatch(UNREACHABLE, ALPHA_EMPTY));
  y += 10 * u;
  if (s.gaps.length) item(w.gapCluster, lineSwatch(GAP_OUTLINE, 1.6, true));
  item(w.communities, lineSwatch(COMMUNITY_LINE, 1.3));
  if (s.joints.some((j) => j.pass)) item(w.jointPass, lineSwatch(JOINT_PASS, 3.5));
  if (s.joints.some((j) => !j.pass)) item(w.jointFail, lineSwatch(JOINT_FAIL, 3.5));
  y += 10 * u;

  caption(w.facilities);
  const colour = categoryColours(s.categories.map((c) => c.id))[s.view.category] ?? INK;
  const shown = s.stations.filter((st) => st.category === s.view.category);
  item(category, disc(colour, STATION.radius, PAGE, STATION.ring));
  if (shown.some((st) => st.added && st.open)) item(w.added, disc(colour, STATION.addedRadius, STATION_ADDED_RING, STATION.addedRing));
  if (shown.some((st) => !st.open)) item(w.closed, disc(STATION_CLOSED, STATION.radius, PAGE, STATION.ring));

  drawScaleBar(ctx, x, l.legend.y + l.legend.h - 14 * u, width, f.metresPerPixel, u, w);
}

/** The longest round length (1, 2 or 5 × 10ⁿ metres) whose bar is at most `maxPx` long. */
export function scaleBarMetres(metresPerPixel: number, maxPx: number): number {
  const max = metresPerPixel * maxPx;
  let best = 1;
  for (let p = 1; p <= max; p *= 10) for (const m of [1, 2, 5]) if (m * p <= max) best = m * p;
  return best;
}

/** Scale bar (baseline at `y`, left at `x`) in alternating black and white halves, and a north arrow at the right. */
function drawScaleBar(ctx: SKRSContext2D, x: number, y: number, width: number, mpp: number, u: number, w: Words): void {
  const metres = scaleBarMetres(mpp, 200 * u);
  const px = metres / mpp;
  const h = 6 * u;
  ctx.lineWidth = Math.max(1, u);
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.fillRect(x, y - h, px / 2, h);
  ctx.fillStyle = PAGE;
  ctx.fillRect(x + px / 2, y - h, px / 2, h);
  ctx.strokeRect(x, y - h, px, h);
  ctx.fillStyle = INK;
  ctx.font = font(14 * u);
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText('0', x - 3 * u, y - h - 4 * u);
  ctx.textAlign = 'center';
  ctx.fillText(w.metres(metres), x + px, y - h - 4 * u);

  // north arrow: Web Mercator keeps north straight up
  const ax = x + width - 16 * u;
  const arrow = new Path2D();
  arrow.moveTo(ax, y - 36 * u);
  arrow.lineTo(ax + 8 * u, y - 4 * u);
  arrow.lineTo(ax, y - 11 * u);
  arrow.lineTo(ax - 8 * u, y - 4 * u);
  arrow.closePath();
  fill(ctx, arrow, INK);
  ctx.fillText(w.north, ax, y - 40 * u);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
}

/** The credits, one line each, the first always "© OpenStreetMap contributors". */
function drawFooter(ctx: SKRSContext2D, l: PageLayout, s: SnapshotData): void {
  const u = l.unit;
  ctx.font = font(13 * u);
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  s.attribution.forEach((line, i) => ctx.fillText(fit(ctx, oneLine(line), l.footer.w), l.footer.x, l.footer.y + (14 + 19 * i) * u));
}
