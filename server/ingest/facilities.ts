/**
 * OSM objects → service facilities: categorise by data/categories.json, reduce each object to one
 * point, and drop the second mapping of the same place (a point and an area, or two areas).
 */
import { haversine, localProjection } from '../core/geo.ts';
import type { Facility, ImportNote } from '../core/types.ts';
import { matchCategory, type CategoryMapping } from './categories.ts';
import type { OsmData, Tags } from './pbf.ts';

export interface DedupOptions {
  /** Same category and the same non-empty name within this distance: one place. Default 150 m. */
  sameNameM?: number;
  /** Same category within this distance with an empty name on either side: one place. Default 15 m. */
  anyNameM?: number;
}

/** A facility with what decides which of two duplicates to keep. */
interface Candidate {
  facility: Facility;
  isArea: boolean;
  tagCount: number;
  order: number;
}

/**
 * Every OSM node, way and relation that matches a category, as one point each, de-duplicated.
 * Closed ways give their area centroid, open ways the midpoint along the line, multipolygon and
 * site relations the centroid of their members. Nothing is dropped without a note.
 * @example const { facilities, notes } = osmFacilities(readPbf(buf), loadCategories());
 */
export function osmFacilities(
  osm: OsmData,
  mapping: CategoryMapping,
  options: DedupOptions = {},
): { facilities: Facility[]; notes: ImportNote[] } {
  const notes: ImportNote[] = [];
  const candidates: Candidate[] = [];
  const add = (id: string, tags: Tags, category: string, point: [number, number] | null, isArea: boolean) => {
    if (point === null) {
      notes.push({ kind: 'missing_nodes', subject: id, message: 'all its nodes are outside the extract; skipped' });
      return;
    }
    const capacity = readCapacity(id, tags, mapping.categories.find((c) => c.id === category)!.capacityTags, notes);
    const name = (tags['name:zh'] || tags.name || '').trim();
    const facility: Facility = { id, name, category, lon: point[0], lat: point[1], source: 'osm', capacity };
    candidates.push({ facility, isArea, tagCount: Object.keys(tags).length, order: candidates.length });
  };

  for (const [i, tags] of osm.nodeTags) {
    const category = matchCategory(tags, mapping);
    if (category !== null) add(`osm:n${osm.nodeIds[i]}`, tags, category, [osm.nodeLon[i], osm.nodeLat[i]], false);
  }

  for (let w = 0; w < osm.wayIds.length; w++) {
    const tags = osm.wayTags[w];
    const category = matchCategory(tags, mapping);
    if (category === null) continue;
    const id = `osm:w${osm.wayIds[w]}`;
    const refs = osm.wayRefs.subarray(osm.wayRefOffsets[w], osm.wayRefOffsets[w + 1]);
    const present = Array.from(refs).filter((r) => r >= 0);
    const closed = refs.length >= 4 && refs[0] >= 0 && refs[0] === refs[refs.length - 1];
    if (present.length > 0 && present.length < refs.length) {
      notes.push({ kind: 'truncated', subject: id, message: `${refs.length - present.length} of ${refs.length} nodes are outside the extract; placed at the mean of the rest` });
    }
    let point: [number, number] | null;
    if (present.length < refs.length) point = vertexMean(osm, present);
    else if (closed) point = areaCentroid([ring(osm, present)]) ?? vertexMean(osm, present);
    else point = lineMidpoint(osm, present);
    add(id, tags, category, point, closed);
  }

  let wayIndex: Map<number, number> | undefined;
  for (let r = 0; r < osm.relationIds.length; r++) {
    const tags = osm.relationTags[r];
    const category = matchCategory(tags, mapping);
    if (category === null) continue;
    const id = `osm:r${osm.relationIds[r]}`;
    if (tags.type !== 'multipolygon' && tags.type !== 'site') {
      notes.push({ kind: 'unsupported', subject: id, message: `a type=${tags.type ?? '(none)'} relation cannot be placed; only multipolygon and site relations are read` });
      continue;
    }
    wayIndex ??= new Map(Array.from(osm.wayIds, (wid, w) => [wid, w]));
    const multipolygon = tags.type === 'multipolygon';
    add(id, tags, category, relationPoint(osm, osm.relationMembers[r], wayIndex, multipolygon), multipolygon);
  }

  return dedupe(candidates, notes, options);
}

/** Beds or places from the category's capacity tags; a non-numeric value is reported, not guessed at. */
function readCapacity(id: string, tags: Tags, keys: string[], notes: ImportNote[]): number | null {
  for (const key of keys) {
    const value = tags[key]?.trim();
    if (!value) continue;
    if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
    notes.push({ kind: 'capacity', subject: id, message: `${key}="${value}" is not a number; capacity left unknown` });
  }
  return null;
}

function ring(osm: OsmData, nodes: ArrayLike<number>): number[][] {
  return Array.from(nodes, (n) => [osm.nodeLon[n], osm.nodeLat[n]]);
}

function vertexMean(osm: OsmData, nodes: number[]): [number, number] | null {
  const distinct = [...new Set(nodes)];
  if (distinct.length === 0) return null;
  let lon = 0;
  let lat = 0;
  for (const n of distinct) {
    lon += osm.nodeLon[n];
    lat += osm.nodeLat[n];
  }
  return [lon / distinct.length, lat / distinct.length];
}

/** The point halfway along the line by length (a road-like object: its middle, not its bend). */
function lineMidpoint(osm: OsmData, nodes: number[]): [number, number] {
  const lengths = nodes.slice(1).map((n, k) => haversine(osm.nodeLon[nodes[k]], osm.nodeLat[nodes[k]], osm.nodeLon[n], osm.nodeLat[n]));
  let left = lengths.reduce((a, b) => a + b, 0) / 2;
  for (let k = 0; k < lengths.length; k++) {
    if (left <= lengths[k] && lengths[k] > 0) {
      const t = left / lengths[k];
      const a = nodes[k];
      const b = nodes[k + 1];
      return [osm.nodeLon[a] + t * (osm.nodeLon[b] - osm.nodeLon[a]), osm.nodeLat[a] + t * (osm.nodeLat[b] - osm.nodeLat[a])];
    }
    left -= lengths[k];
  }
  return [osm.nodeLon[nodes[0]], osm.nodeLat[nodes[0]]];
}

/**
 * Multipolygon: the area centroid of its outer rings less its inner rings when every member way is
 * a whole closed ring; otherwise (rings split over several ways, members cut off by the extract, site
 * relations) the mean of the distinct member nodes that are present.
 */
function relationPoint(
  osm: OsmData,
  members: OsmData['relationMembers'][number],
  wayIndex: Map<number, number>,
  multipolygon: boolean,
): [number, number] | null {
  const outers: number[][][] = [];
  const holes: number[][][] = [];
  const nodes: number[] = [];
  let allClosedRings = multipolygon;
  for (const m of members) {
    const w = m.type === 'way' ? wayIndex.get(m.ref) : undefined;
    if (w === undefined) {
      allClosedRings = false;
      continue;
    }
    const refs = Array.from(osm.wayRefs.subarray(osm.wayRefOffsets[w], osm.wayRefOffsets[w + 1]));
    const present = refs.filter((r) => r >= 0);
    nodes.push(...present);
    if (present.length < 4 || present.length < refs.length || refs[0] !== refs[refs.length - 1]) allClosedRings = false;
    else (m.role === 'inner' ? holes : outers).push(ring(osm, present));
  }
  if (!multipolygon) {
    for (const m of members) {
      if (m.type !== 'node') continue;
      const n = nodeIndex(osm, m.ref);
      if (n >= 0) nodes.push(n);
    }
  }
  return (allClosedRings && areaCentroid(outers, holes)) || vertexMean(osm, nodes);
}

/** Binary search in the ascending node ids; -1 when the node is not in the extract. */
function nodeIndex(osm: OsmData, id: number): number {
  let lo = 0;
  let hi = osm.nodeIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (osm.nodeIds[mid] === id) return mid;
    if (osm.nodeIds[mid] < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Area centroid of outer rings minus holes, rings as closed [lon, lat] lists.
 * Planar in degrees: the centroid is preserved by the affine lon scaling of any local projection,
 * so this is exact for city-sized shapes. Null when the area is zero.
 */
export function areaCentroid(outers: number[][][], holes: number[][][] = []): [number, number] | null {
  const [lon0, lat0] = outers[0]?.[0] ?? [0, 0];
  let area = 0;
  let cx = 0;
  let cy = 0;
  const addRing = (r: number[][], sign: number) => {
    let a = 0;
    let x = 0;
    let y = 0;
    // Shoelace sums relative to the first vertex, so small differences of large numbers stay exact.
    for (let k = 0; k + 1 < r.length; k++) {
      const x1 = r[k][0] - lon0;
      const y1 = r[k][1] - lat0;
      const x2 = r[k + 1][0] - lon0;
      const y2 = r[k + 1][1] - lat0;
      const cross = x1 * y2 - x2 * y1;
      a += cross;
      x += (x1 + x2) * cross;
      y += (y1 + y2) * cross;
    }
    // Orientation differs between sources; holes subtract whatever way they wind.
    const s = a < 0 ? -sign : sign;
    area += (s * a) / 2;
    cx += (s * x) / 6;
    cy += (s * y) / 6;
  };
  for (const r of outers) addRing(r, 1);
  for (const r of holes) addRing(r, -1);
  if (Math.abs(area) < 1e-18) return null;
  return [lon0 + cx / area, lat0 + cy / area];
}

/**
 * Keep the better-mapped of each duplicate (an area over a point, then the one with more tags, then
 * the first read) and note each one dropped. Candidates are bucketed on a grid of the larger
 * distance, so this stays linear on a whole province.
 */
function dedupe(candidates: Candidate[], notes: ImportNote[], options: DedupOptions) {
  const sameNameM = options.sameNameM ?? 150;
  const anyNameM = options.anyNameM ?? 15;
  const cell = Math.max(sameNameM, anyNameM, 1);
  const ranked = [...candidates].sort((a, b) => Number(b.isArea) - Number(a.isArea) || b.tagCount - a.tagCount || a.order - b.order);
  const proj = localProjection(ranked[0]?.facility.lat ?? 0);
  const grid = new Map<string, Facility[]>();
  const kept: Candidate[] = [];
  for (const c of ranked) {
    const f = c.facility;
    const [x, y] = proj.toXY(f.lon, f.lat);
    const gx = Math.floor(x / cell);
    const gy = Math.floor(y / cell);
    const twin = findTwin(f, grid, gx, gy, sameNameM, anyNameM);
    if (twin) {
      const d = Math.round(haversine(f.lon, f.lat, twin.lon, twin.lat));
      const what = f.name || twin.name ? `"${f.name || twin.name}"` : 'unnamed';
      notes.push({ kind: 'duplicate', subject: f.id, message: `same ${f.category} place as ${twin.id} (${what}, ${d} m apart); kept ${twin.id}` });
      continue;
    }
    const key = `${f.category} ${gx} ${gy}`;
    const bucket = grid.get(key);
    if (bucket) bucket.push(f);
    else grid.set(key, [f]);
    kept.push(c);
  }
  // Back to reading order (nodes, ways, relations) so output is stable and easy to compare.
  kept.sort((a, b) => a.order - b.order);
  return { facilities: kept.map((c) => c.facility), notes };
}

function findTwin(f: Facility, grid: Map<string, Facility[]>, gx: number, gy: number, sameNameM: number, anyNameM: number) {
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (const other of grid.get(`${f.category} ${gx + dx} ${gy + dy}`) ?? []) {
        const d = haversine(f.lon, f.lat, other.lon, other.lat);
        const sameName = f.name !== '' && f.name === other.name;
        const oneUnnamed = f.name === '' || other.name === '';
        if ((sameName && d <= sameNameM) || (oneUnnamed && d <= anyNameM)) return other;
      }
    }
  }
  return undefined;
}
