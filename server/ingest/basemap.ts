/**
 * The city's own basemap from its OSM extract, so the map draws with no tile server: water, green, buildings,
 * roads (every highway, walkable or not, and rail) and admin boundaries, one GeoJSON FeatureCollection per layer,
 * for core/tiles.ts to cut into vector tiles. Display only: nothing here feeds the walking network.
 *
 * Extracts cut by a box leave the areas crossing its edge open (the Songhua, a multipolygon riverbank, runs out of
 * the Harbin sample on both sides). Dropping them would drop the river, so they are closed along the edge of the
 * extract (the box of its nodes) instead.
 */
import type { Feature, Geometry, Position } from 'geojson';
import { interiorPoint, ringArea, ringContains, withBBox } from '../core/polygon.ts';
import { emptyBasemap, type Basemap } from '../core/tiles.ts';
import { assembleArea, wayLookup, type WayLookup } from './boundaries.ts';
import type { OsmData, OsmRelationMember, Tags } from './pbf.ts';

type Props = Record<string, string | number>;
type AreaLayer = 'water' | 'green' | 'buildings';

/** `highway=*` → road class. Values not listed (construction, proposed, platform, raceway, …) are not drawn. */
const ROAD_CLASS = new Map(
  Object.entries({
    motorway: ['motorway', 'motorway_link'],
    trunk: ['trunk', 'trunk_link'],
    primary: ['primary', 'primary_link'],
    secondary: ['secondary', 'secondary_link'],
    tertiary: ['tertiary', 'tertiary_link'],
    // pedestrian streets are full-width streets (中央大街), not footpaths
    minor: ['unclassified', 'residential', 'living_street', 'road', 'pedestrian', 'busway'],
    service: ['service', 'track'],
    path: ['footway', 'path', 'cycleway', 'steps', 'bridleway', 'corridor'],
  }).flatMap(([cls, values]) => values.map((v) => [v, cls] as const)),
);
const RAIL = new Set(['rail', 'subway', 'light_rail']);
const WATER_LINES = new Set(['river', 'canal', 'stream']);
const ADMIN_LEVELS = new Set([6, 8]);

/** `class` of a green area: the first of these keys whose value is listed. */
const GREEN: Array<[key: string, values: Set<string>]> = [
  ['leisure', new Set(['park', 'garden', 'pitch', 'playground'])],
  ['landuse', new Set(['grass', 'forest', 'meadow', 'recreation_ground', 'village_green'])],
  ['natural', new Set(['wood', 'scrub', 'grassland'])],
];

/** Properties of an area in each area layer, or null when its tags do not belong there. */
const AREA_LAYERS: Array<[AreaLayer, (t: Tags) => Props | null]> = [
  ['water', (t) => (t.natural === 'water' || t.waterway === 'riverbank' || t.landuse === 'reservoir' || t.landuse === 'basin' || t.water !== undefined ? {} : null)],
  [
    'green',
    (t) => {
      for (const [key, values] of GREEN) if (values.has(t[key])) return { class: t[key] };
      return null;
    },
  ],
  ['buildings', (t) => (t.building !== undefined && t.building !== 'no' ? {} : null)],
];

/**
 * The basemap of an extract. Layers and properties:
 * - `water`: areas (natural=water, waterway=riverbank, landuse=reservoir|basin, water=*), no properties; and
 *   waterway=river|canal|stream lines with `class` river|canal|stream.
 * - `green`: leisure=park|garden|pitch|playground, landuse=grass|forest|meadow|recreation_ground|village_green,
 *   natural=wood|scrub|grassland, `class` = that value.
 * - `buildings`: every building, no properties.
 * - `roads`: highway lines (not area=yes) with `class` motorway|trunk|primary|secondary|tertiary|minor|service|path,
 *   railway=rail|subway|light_rail with `class` rail; `name` (name:zh, else name) when tagged.
 * - `boundaries`: member ways of admin_level 6 and 8 boundary relations, once each, `admin_level` the lowest.
 * Areas come from closed ways and multipolygon relations (a way drawn by a relation of the same layer is not drawn
 * again: it would fill the relation's holes). Coordinates are rounded to 6 decimals; outer rings run
 * counter-clockwise, holes clockwise; lines are split where the extract cut them.
 */
export function osmBasemap(osm: OsmData): Basemap {
  const out = emptyBasemap();
  const box = extractBox(osm);
  const lookup = wayLookup(osm);
  const push = (layer: keyof Basemap, geometry: Geometry | null, properties: Props) => {
    if (geometry) out[layer].features.push({ type: 'Feature', properties, geometry } satisfies Feature);
  };

  const drawnByRelation: Record<AreaLayer, Set<number>> = { water: new Set(), green: new Set(), buildings: new Set() };
  for (let r = 0; r < osm.relationIds.length; r++) {
    const tags = osm.relationTags[r];
    if (tags.type !== 'multipolygon') continue;
    const members = osm.relationMembers[r];
    let polygons: Position[][][] | null = null; // assembled once, for whichever layers want it
    for (const [layer, propsOf] of AREA_LAYERS) {
      const props = propsOf(tags);
      if (!props) continue;
      polygons ??= relationArea(osm, members, lookup, box);
      push(layer, multiPolygon(polygons), props);
      for (const m of members) {
        const w = m.type === 'way' && m.role !== 'inner' ? lookup(m.ref) : -1;
        if (w >= 0) drawnByRelation[layer].add(w);
      }
    }
  }

  const { wayRefOffsets: offsets, wayRefs: refs } = osm;
  for (let w = 0; w < osm.wayIds.length; w++) {
    const tags = osm.wayTags[w];
    const start = offsets[w];
    const end = offsets[w + 1];
    // closed (or with both end nodes beyond the extract, which looks the same)
    if (end - start >= 4 && refs[start] === refs[end - 1]) {
      let polygons: Position[][][] | null = null;
      for (const [layer, propsOf] of AREA_LAYERS) {
        const props = propsOf(tags);
        if (!props || drawnByRelation[layer].has(w)) continue;
        polygons ??= wayArea(osm, w, box);
        push(layer, multiPolygon(polygons), props);
      }
    }
    const road = roadProps(tags);
    if (road) push('roads', lines(osm, w), road);
    else if (WATER_LINES.has(tags.waterway)) push('water', lines(osm, w), { class: tags.waterway });
  }

  // A way shared by neighbouring boundaries is drawn once, at the most important (lowest) level.
  const adminLevel = new Map<number, number>();
  for (let r = 0; r < osm.relationIds.length; r++) {
    const tags = osm.relationTags[r];
    const level = Number(tags.admin_level?.trim());
    if (tags.boundary !== 'administrative' || !ADMIN_LEVELS.has(level)) continue;
    for (const m of osm.relationMembers[r]) {
      const w = m.type === 'way' ? lookup(m.ref) : -1;
      if (w >= 0) adminLevel.set(w, Math.min(level, adminLevel.get(w) ?? level));
    }
  }
  for (const w of [...adminLevel.keys()].sort((a, b) => a - b)) push('boundaries', lines(osm, w), { admin_level: adminLevel.get(w)! });
  return out;
}

function roadProps(tags: Tags): Props | null {
  let cls: string | undefined;
  if (tags.highway !== undefined) cls = tags.area === 'yes' ? undefined : ROAD_CLASS.get(tags.highway);
  else if (RAIL.has(tags.railway)) cls = 'rail';
  if (!cls) return null;
  const name = tags['name:zh'] || tags.name;
  return name ? { class: cls, name } : { class: cls };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Appends a rounded position unless it repeats the last one (rounding merges nodes a few cm apart). */
function pushPosition(out: Position[], x: number, y: number) {
  const rx = round6(x);
  const ry = round6(y);
  const last = out[out.length - 1];
  if (!last || last[0] !== rx || last[1] !== ry) out.push([rx, ry]);
}

/** The way as a LineString, or a MultiLineString of the pieces left where the extract cut it; null if nothing is left. */
function lines(osm: OsmData, w: number): Geometry | null {
  const parts: Position[][] = [];
  let part: Position[] = [];
  for (let k = osm.wayRefOffsets[w]; k <= osm.wayRefOffsets[w + 1]; k++) {
    const node = k < osm.wayRefOffsets[w + 1] ? osm.wayRefs[k] : -1;
    if (node >= 0) {
      pushPosition(part, osm.nodeLon[node], osm.nodeLat[node]);
      continue;
    }
    if (part.length >= 2) parts.push(part);
    part = [];
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? { type: 'LineString', coordinates: parts[0] } : { type: 'MultiLineString', coordinates: parts };
}

function multiPolygon(polygons: Position[][][]): Geometry | null {
  if (polygons.length === 0) return null;
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
}

/** A closed ring of rounded positions, turned to run counter-clockwise (`ccw`) or clockwise; null when degenerate. */
function ring(xy: ArrayLike<number>, ccw: boolean): Position[] | null {
  const out: Position[] = [];
  for (let i = 0; i < xy.length; i += 2) pushPosition(out, xy[i], xy[i + 1]);
  if (out.length < 3) return null;
  const first = out[0];
  const last = out[out.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) out.push([first[0], first[1]]);
  if (out.length < 4) return null;
  let twiceArea = 0;
  for (let i = 1; i < out.length; i++) twiceArea += (out[i - 1][0] - out[0][0]) * (out[i][1] - out[0][1]) - (out[i][0] - out[0][0]) * (out[i - 1][1] - out[0][1]);
  if (twiceArea === 0) return null;
  return twiceArea > 0 === ccw ? out : out.reverse();
}

/** Lon/lat pairs of node indices. */
function nodeXY(osm: OsmData, nodes: ArrayLike<number>, start = 0, end = nodes.length): Float64Array {
  const xy = new Float64Array((end - start) * 2);
  for (let i = start; i < end; i++) {
    xy[2 * (i - start)] = osm.nodeLon[nodes[i]];
    xy[2 * (i - start) + 1] = osm.nodeLat[nodes[i]];
  }
  return xy;
}

/** A polygon from its outer ring and holes (each lon/lat pairs); null when the outer ring degenerates. */
function polygon(outer: ArrayLike<number>, holes: Array<ArrayLike<number>>): Position[][] | null {
  const shell = ring(outer, true);
  if (!shell) return null;
  const rings = [shell];
  for (const h of holes) {
    const hole = ring(h, false);
    if (hole) rings.push(hole);
  }
  return rings;
}

/** The area of a closed way: its ring, or, where the extract cut it, the part inside closed along the edge. */
function wayArea(osm: OsmData, w: number, box: Box): Position[][][] {
  const start = osm.wayRefOffsets[w];
  const end = osm.wayRefOffsets[w + 1];
  for (let k = start; k < end; k++) if (osm.wayRefs[k] < 0) return cutArea(osm, [w], [], box);
  const p = polygon(nodeXY(osm, osm.wayRefs, start, end), []);
  return p ? [p] : [];
}

/** The area of a multipolygon relation: assembled by boundaries.ts, or closed along the edge where the extract cut it open. */
function relationArea(osm: OsmData, members: OsmRelationMember[], lookup: WayLookup, box: Box): Position[][][] {
  const area = assembleArea(osm, members, lookup);
  if (area.openChains > 0) {
    const outer: number[] = [];
    const inner: number[] = [];
    for (const m of members) {
      const w = m.type === 'way' ? lookup(m.ref) : -1;
      if (w < 0) continue;
      if (m.role === 'inner') inner.push(w);
      else if (m.role === 'outer' || m.role === '') outer.push(w);
    }
    return cutArea(osm, outer, inner, box);
  }
  const polygons: Position[][][] = [];
  for (const rings of area.polygons) {
    const p = polygon(nodeXY(osm, rings[0]), rings.slice(1).map((r) => nodeXY(osm, r)));
    if (p) polygons.push(p);
  }
  return polygons;
}

// ---- closing areas along the edge of the extract ----

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Metres per degree of longitude over metres per degree of latitude, to find the nearest side. */
  kx: number;
}

/** The box of every node: for an extract cut by a box (osmium's default), the cut itself. */
function extractBox(osm: OsmData): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < osm.nodeLon.length; i++) {
    const x = osm.nodeLon[i];
    const y = osm.nodeLat[i];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY, kx: Math.cos((((minY + maxY) / 2) * Math.PI) / 180) };
}

/** A run of node indices; `cutStart` / `cutEnd` when the extract cut the way off there. */
interface Chain {
  nodes: number[];
  cutStart: boolean;
  cutEnd: boolean;
}

/**
 * Joins the ways into chains end to end (either direction), as boundaries.ts does, but keeps the open chains and
 * notes which of their ends the extract cut: those ends lie just inside the edge; any other open end is broken data.
 */
function chains(osm: OsmData, ways: number[]): { closed: Chain[]; open: Chain[] } {
  const pieces: Chain[] = [];
  const { wayRefOffsets: offsets, wayRefs: refs } = osm;
  for (const w of ways) {
    const start = offsets[w];
    let n = offsets[w + 1] - start;
    // A closed way cut open is read round from its first gap, so the piece across its closing node stays whole
    // and knows both its ends were cut.
    let first = 0;
    let cyclic = false;
    if (n >= 4 && refs[start] === refs[start + n - 1]) {
      while (first < n && refs[start + first] >= 0) first++;
      cyclic = first < n;
      if (cyclic) n--;
      else first = 0;
    }
    let piece: Chain = { nodes: [], cutStart: false, cutEnd: false };
    for (let i = 0; i < n; i++) {
      const node = refs[start + ((first + i) % n)];
      if (node >= 0) piece.nodes.push(node);
      else {
        piece.cutEnd = true;
        if (piece.nodes.length >= 2) pieces.push(piece);
        piece = { nodes: [], cutStart: true, cutEnd: false };
      }
    }
    if (cyclic) piece.cutEnd = true;
    if (piece.nodes.length >= 2) pieces.push(piece);
  }

  const isRing = (c: Chain) => c.nodes.length >= 4 && c.nodes[0] === c.nodes[c.nodes.length - 1];
  const ends = new Map<number, number[]>();
  const link = (node: number, p: number) => {
    const list = ends.get(node);
    if (list) list.push(p);
    else ends.set(node, [p]);
  };
  pieces.forEach((c, p) => {
    if (isRing(c)) return;
    link(c.nodes[0], p);
    link(c.nodes[c.nodes.length - 1], p);
  });
  const used = new Uint8Array(pieces.length);
  /** An unused piece with an end at `node`, turned to start there; marks it used. */
  const take = (node: number): Chain | null => {
    for (const p of ends.get(node) ?? []) {
      if (used[p]) continue;
      used[p] = 1;
      const c = pieces[p];
      return c.nodes[0] === node ? c : { nodes: c.nodes.slice().reverse(), cutStart: c.cutEnd, cutEnd: c.cutStart };
    }
    return null;
  };

  const closed: Chain[] = [];
  const open: Chain[] = [];
  for (let p = 0; p < pieces.length; p++) {
    if (used[p]) continue;
    used[p] = 1;
    if (isRing(pieces[p])) {
      closed.push(pieces[p]);
      continue;
    }
    const chain: Chain = { nodes: pieces[p].nodes.slice(), cutStart: pieces[p].cutStart, cutEnd: pieces[p].cutEnd };
    while (!isRing(chain)) {
      const next = take(chain.nodes[chain.nodes.length - 1]);
      if (!next) break;
      for (let i = 1; i < next.nodes.length; i++) chain.nodes.push(next.nodes[i]);
      chain.cutEnd = next.cutEnd;
    }
    if (isRing(chain)) {
      closed.push(chain);
      continue;
    }
    // Extend backwards from the start too: the first piece taken may lie in the middle of the chain.
    const before: number[] = [];
    for (let node = chain.nodes[0], prev = take(node); prev; prev = take(node)) {
      for (let i = 1; i < prev.nodes.length; i++) before.push(prev.nodes[i]);
      chain.cutStart = prev.cutEnd;
      node = prev.nodes[prev.nodes.length - 1];
    }
    if (before.length) chain.nodes = before.reverse().concat(chain.nodes);
    (isRing(chain) ? closed : open).push(chain);
  }
  return { closed, open };
}

/**
 * Polygons of an area the extract cut open. Open chains whose both ends were cut are joined by stretches of the
 * extract's edge: along the edge, the area's border goes in and out at each chain end, so consecutive ends (sorted
 * around the edge) pair up in one of two ways, giving the area or its complement. The one holding the closed inner
 * rings (islands) wins, else the smaller. Closed inner rings become holes of the smallest outer ring around them.
 */
function cutArea(osm: OsmData, outerWays: number[], innerWays: number[], box: Box): Position[][][] {
  const outer = chains(osm, outerWays);
  const inner = chains(osm, innerWays);
  const open = [...outer.open, ...inner.open].filter((c) => c.cutStart && c.cutEnd).map((c) => nodeXY(osm, c.nodes));
  const holes = inner.closed.map((c) => nodeXY(osm, c.nodes));
  const holePoints = holes.map((xy) => interiorPoint(withBBox(xy, Int32Array.of(0, xy.length / 2), Int32Array.of(0, 1))));

  let shells = outer.closed.map((c) => nodeXY(osm, c.nodes));
  if (open.length) {
    const score = (rings: Float64Array[]) => ({
      islands: holePoints.filter(([x, y]) => rings.some((r) => ringContains(r, 0, r.length / 2, x, y))).length,
      area: rings.reduce((s, r) => s + Math.abs(ringArea(r, 0, r.length / 2)), 0),
    });
    const a = edgeRings(open, 0, box);
    const b = edgeRings(open, 1, box);
    const sa = score(a);
    const sb = score(b);
    shells = shells.concat(sa.islands > sb.islands || (sa.islands === sb.islands && sa.area <= sb.area) ? a : b);
  }

  const shellArea = shells.map((xy) => Math.abs(ringArea(xy, 0, xy.length / 2)));
  const holesOf: Float64Array[][] = shells.map(() => []);
  holes.forEach((hole, i) => {
    const [x, y] = holePoints[i];
    let host = -1;
    for (let s = 0; s < shells.length; s++) {
      if (host >= 0 && shellArea[s] >= shellArea[host]) continue;
      if (ringContains(shells[s], 0, shells[s].length / 2, x, y)) host = s;
    }
    if (host >= 0) holesOf[host].push(hole);
  });
  const polygons: Position[][][] = [];
  shells.forEach((xy, s) => {
    const p = polygon(xy, holesOf[s]);
    if (p) polygons.push(p);
  });
  return polygons;
}

/** Position around the edge, counter-clockwise from the south-west corner: 0–1 south, 1–2 east, 2–3 north, 3–4 west. */
function edgeT(x: number, y: number, box: Box): number {
  const { minX, minY, maxX, maxY, kx } = box;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  const d = [y - minY, (maxX - x) * kx, maxY - y, (x - minX) * kx];
  const side = d.indexOf(Math.min(...d));
  if (side === 0) return clamp((x - minX) / (maxX - minX));
  if (side === 1) return 1 + clamp((y - minY) / (maxY - minY));
  if (side === 2) return 2 + clamp((maxX - x) / (maxX - minX));
  return (3 + clamp((maxY - y) / (maxY - minY))) % 4;
}

function edgePoint(t: number, box: Box): [number, number] {
  const { minX, minY, maxX, maxY } = box;
  const side = Math.floor(t) % 4;
  const f = t - Math.floor(t);
  if (side === 0) return [minX + f * (maxX - minX), minY];
  if (side === 1) return [maxX, minY + f * (maxY - minY)];
  if (side === 2) return [maxX - f * (maxX - minX), maxY];
  return [minX, maxY - f * (maxY - minY)];
}

/**
 * Closed rings from open chains (flat lon/lat pairs) and stretches of the edge between their ends.
 * End e is chain e >> 1's start (e even) or end (e odd). `parity` picks which pairs of neighbouring ends are joined.
 */
function edgeRings(open: Float64Array[], parity: 0 | 1, box: Box): Float64Array[] {
  const m = open.length * 2;
  const t = new Float64Array(m);
  open.forEach((xy, c) => {
    t[2 * c] = edgeT(xy[0], xy[1], box);
    t[2 * c + 1] = edgeT(xy[xy.length - 2], xy[xy.length - 1], box);
  });
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => t[a] - t[b] || a - b);
  const partner = new Int32Array(m);
  // The counter-clockwise stretch between an end and its partner starts at `from` and is `length` long (in sides).
  const from = new Int32Array(m);
  const length = new Float64Array(m);
  for (let i = parity; i < m; i += 2) {
    const a = order[i];
    const b = order[(i + 1) % m];
    partner[a] = b;
    partner[b] = a;
    from[a] = from[b] = a;
    length[a] = length[b] = t[b] - t[a] + (i + 1 === m ? 4 : 0);
  }

  const rings: Float64Array[] = [];
  const used = new Uint8Array(open.length);
  for (let c0 = 0; c0 < open.length; c0++) {
    if (used[c0]) continue;
    const out: number[] = [];
    let e = 2 * c0;
    do {
      const xy = open[e >> 1];
      used[e >> 1] = 1;
      const n = xy.length / 2;
      for (let i = 0; i < n; i++) {
        const v = e & 1 ? n - 1 - i : i;
        out.push(xy[2 * v], xy[2 * v + 1]);
      }
      const exit = e ^ 1;
      const next = partner[exit];
      const corners: Array<[number, number]> = [];
      const t0 = t[from[exit]];
      for (let k = Math.floor(t0) + 1; k < t0 + length[exit]; k++) corners.push(edgePoint(k, box));
      if (from[exit] !== exit) corners.reverse();
      for (const p of [edgePoint(t[exit], box), ...corners, edgePoint(t[next], box)]) out.push(p[0], p[1]);
      e = next;
    } while (e !== 2 * c0);
    out.push(out[0], out[1]);
    rings.push(Float64Array.from(out));
  }
  return rings;
}
