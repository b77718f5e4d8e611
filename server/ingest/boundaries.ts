/**
 * Administrative boundaries from OSM relations, and the ring assembly that turns relation member ways into
 * closed polygons (also used by buildings.ts for multipolygon buildings and residential areas).
 *
 * The sample extracts are cut by a bounding box, so boundary ways are often truncated or missing: every ring that
 * cannot be closed is reported by the relation's name and id, never dropped silently.
 */
import { interiorPoint, ringArea, ringContains, withBBox } from '../core/polygon.ts';
import type { Community, ImportNote, MultiPolygonCoords } from '../core/types.ts';
import { binarySearch, type OsmData, type OsmRelationMember } from './pbf.ts';
import { MAX_COUNT } from './text.ts';

/** The polygons of one relation, as node indices, and what could not be used. */
export interface AssembledArea {
  /** polygons → rings → node indices; rings closed; first ring outer (counter-clockwise), then holes (clockwise). */
  polygons: number[][][];
  /** Chains of member ways that do not come back to their start. */
  openChains: number;
  /** Member ways with nodes missing from the extract. */
  cutWays: number;
  /** Member ways absent from the extract. */
  missingWays: number;
  /** Closed inner rings that lie in no outer ring (left out). */
  strayInners: number;
}

/** OSM way id → way index (-1 when the way is not in the extract); made once per import and passed to `assembleArea`. */
export type WayLookup = (id: number) => number;

/**
 * A way lookup: binary search when the way ids are ascending, as PBF files write them, else a Map.
 * (A Map of a city tiled 8 × 8, 2 million ways, costs a second to build; the search costs nothing.)
 */
export function wayLookup(osm: OsmData): WayLookup {
  const ids = osm.wayIds;
  let sorted = true;
  for (let w = 1; w < ids.length && sorted; w++) sorted = ids[w] > ids[w - 1];
  if (sorted) return (id) => binarySearch(ids, id);
  const index = new Map<number, number>();
  for (let w = 0; w < ids.length; w++) index.set(ids[w], w);
  return (id) => index.get(id) ?? -1;
}

/**
 * Closed rings from relation members: ways with role outer, inner or '' (= outer) are joined end to end (in any
 * order, either direction, several per ring) and the inner rings nested into the smallest outer ring holding them.
 */
export function assembleArea(osm: OsmData, members: OsmRelationMember[], wayIndex: WayLookup): AssembledArea {
  const outerWays = new Set<number>();
  const innerWays = new Set<number>();
  let missingWays = 0;
  for (const m of members) {
    if (m.type !== 'way' || (m.role !== 'outer' && m.role !== 'inner' && m.role !== '')) continue;
    const w = wayIndex(m.ref);
    if (w < 0) missingWays++;
    else (m.role === 'inner' ? innerWays : outerWays).add(w);
  }
  const outer = joinRings(osm, outerWays);
  const inner = joinRings(osm, innerWays);

  const outerXY = outer.rings.map((ring) => ringXY(osm, ring));
  const outerArea = outerXY.map((xy) => ringArea(xy, 0, xy.length / 2));
  const polygons = outer.rings.map((ring, i) => [outerArea[i] < 0 ? ring.reverse() : ring]);
  let strayInners = 0;
  for (const ring of inner.rings) {
    const xy = ringXY(osm, ring);
    const a = ringArea(xy, 0, xy.length / 2);
    const [x, y] = interiorPoint(withBBox(xy, Int32Array.of(0, xy.length / 2), Int32Array.of(0, 1)));
    let host = -1;
    for (let o = 0; o < outerXY.length; o++) {
      const size = Math.abs(outerArea[o]);
      if (size <= Math.abs(a) || (host >= 0 && size >= Math.abs(outerArea[host]))) continue;
      if (ringContains(outerXY[o], 0, outerXY[o].length / 2, x, y)) host = o;
    }
    if (host < 0) strayInners++;
    else polygons[host].push(a > 0 ? ring.reverse() : ring);
  }
  return {
    polygons,
    openChains: outer.openChains + inner.openChains,
    cutWays: outer.cutWays + inner.cutWays,
    missingWays,
    strayInners,
  };
}

/**
 * Joins ways into closed rings of node indices. A way with nodes missing from the extract is split at the gaps,
 * so its pieces can still meet others but the gap itself never closes.
 */
function joinRings(osm: OsmData, ways: Set<number>): { rings: number[][]; openChains: number; cutWays: number } {
  const { wayRefOffsets, wayRefs } = osm;
  const rings: number[][] = [];
  const pieces: number[][] = [];
  let cutWays = 0;
  for (const w of ways) {
    let piece: number[] = [];
    let cut = false;
    for (let k = wayRefOffsets[w]; k < wayRefOffsets[w + 1]; k++) {
      const node = wayRefs[k];
      if (node >= 0) piece.push(node);
      else {
        cut = true;
        if (piece.length >= 2) pieces.push(piece);
        piece = [];
      }
    }
    if (piece.length >= 2) pieces.push(piece);
    if (cut) cutWays++;
  }

  // Pieces that close on their own are rings already; linking them would fuse rings that touch at a node.
  const ends = new Map<number, number[]>();
  const link = (node: number, p: number) => {
    const list = ends.get(node);
    if (list) list.push(p);
    else ends.set(node, [p]);
  };
  const used = new Uint8Array(pieces.length);
  pieces.forEach((piece, p) => {
    if (piece[0] === piece[piece.length - 1]) return;
    link(piece[0], p);
    link(piece[piece.length - 1], p);
  });
  /** An unused piece with an end at `node`, oriented to start there; marks it used. */
  const take = (node: number): number[] | null => {
    for (const p of ends.get(node) ?? []) {
      if (used[p]) continue;
      used[p] = 1;
      return pieces[p][0] === node ? pieces[p] : pieces[p].slice().reverse();
    }
    return null;
  };

  let openChains = 0;
  for (let p = 0; p < pieces.length; p++) {
    if (used[p]) continue;
    used[p] = 1;
    const chain = pieces[p].slice();
    while (chain[chain.length - 1] !== chain[0]) {
      const next = take(chain[chain.length - 1]);
      if (!next) break;
      for (let i = 1; i < next.length; i++) chain.push(next[i]);
    }
    if (chain[chain.length - 1] === chain[0] && chain.length >= 4) {
      rings.push(chain);
      continue;
    }
    // Consume the rest of this open chain backwards from its start, so it is counted once.
    for (let node = chain[0], prev = take(node); prev; prev = take(node)) node = prev[prev.length - 1];
    openChains++;
  }
  return { rings, openChains, cutWays };
}

/** Lon/lat pairs of a ring of node indices. */
function ringXY(osm: OsmData, ring: number[]): Float64Array {
  const xy = new Float64Array(ring.length * 2);
  for (let i = 0; i < ring.length; i++) {
    xy[2 * i] = osm.nodeLon[ring[i]];
    xy[2 * i + 1] = osm.nodeLat[ring[i]];
  }
  return xy;
}

export interface BoundaryOptions {
  /** OSM admin_level of the relations to import; 8 holds sub-districts (街道/镇) in China. */
  adminLevel?: number;
}

/**
 * Communities from `boundary=administrative` relations at one admin level.
 * id `osm:r<id>`, name `name:zh` or `name`, population from `population`, code from `division_code`.
 * Notes (subject `osm:r<id>`, message starting with the name): `unclosed_ring` for rings that cannot close,
 * `boundary_skipped` when no closed outer ring remains (no community), `partial_boundary` when some rings close and
 * others do not (the closed part is kept without population, which counts the whole), `stray_inner`,
 * `bad_population`, `no_population`.
 */
export function osmBoundaries(osm: OsmData, { adminLevel = 8 }: BoundaryOptions = {}): { communities: Community[]; notes: ImportNote[] } {
  const communities: Community[] = [];
  const notes: ImportNote[] = [];
  const level = String(adminLevel);
  const wayIndex = wayLookup(osm);
  for (let r = 0; r < osm.relationIds.length; r++) {
    const tags = osm.relationTags[r];
    if (tags.boundary !== 'administrative' || tags.admin_level?.trim() !== level) continue;
    const id = `osm:r${osm.relationIds[r]}`;
    const name = tags['name:zh'] || tags.name || id;
    const note = (kind: string, message: string) => notes.push({ kind, subject: id, message: `${name} (${id}): ${message}` });

    const area = assembleArea(osm, osm.relationMembers[r], wayIndex);
    const incomplete = area.openChains > 0 || area.missingWays > 0;
    if (incomplete) {
      const causes = [
        area.cutWays > 0 && `${plural(area.cutWays, 'member way')} cut by the extract edge`,
        area.missingWays > 0 && `${plural(area.missingWays, 'member way')} missing from the extract`,
      ].filter(Boolean);
      const open = area.openChains > 0 ? `${plural(area.openChains, 'ring')} cannot be closed` : 'rings cannot be assembled';
      note('unclosed_ring', `${open}${causes.length ? ` (${causes.join(', ')})` : ''}; ${plural(area.polygons.length, 'closed outer ring')} kept`);
    }
    if (area.strayInners > 0) note('stray_inner', `${plural(area.strayInners, 'inner ring')} outside every outer ring left out`);
    if (area.polygons.length === 0) {
      note('boundary_skipped', 'no closed outer ring, so no community is made from it');
      continue;
    }

    const parsed = tags.population === undefined ? null : parsePopulation(tags.population);
    let population: number | null = null;
    if (tags.population === undefined) note('no_population', 'no population tag; the community gets no residents');
    else if (parsed === null) note('bad_population', `population "${tags.population}" is not a whole number up to ${MAX_COUNT.toLocaleString('en')}; the community gets no residents`);
    else if (incomplete) {
      // The tag counts the whole sub-district; spreading it over the fragment inside the extract would pack
      // everyone into, say, an exclave of 0.1 km² (新香坊街道 in the Harbin sample).
      note('partial_boundary', `only part of it is inside the extract; its population ${tags.population} counts the whole, so the part kept gets no residents`);
    } else population = parsed;

    const polygon: MultiPolygonCoords = area.polygons.map((rings) => rings.map((ring) => ring.map((n) => [osm.nodeLon[n], osm.nodeLat[n]])));
    const community: Community = { id, name, source: 'osm', population, elderly: null, polygon };
    if (tags.division_code) community.code = tags.division_code;
    communities.push(community);
  }
  return { communities, notes };
}

/** A whole number up to MAX_COUNT written with digits and optional thousands separators ("77544", "77,544", "77 544"); else null. */
export function parsePopulation(value: string): number | null {
  const digits = value.trim().replace(/(?<=\d)[,\s_](?=\d{3}(?:\D|$))/g, '');
  return /^\d+$/.test(digits) && Number(digits) <= MAX_COUNT ? Number(digits) : null;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
