/**
 * Residential buildings from OSM, reduced to a centroid and a weight (footprint m² × levels) for spreading a
 * community's residents over its homes (grid.ts).
 *
 * In Chinese OSM data most buildings are plain `building=yes`; counting all of them would put residents into
 * factories and universities, counting none would leave most housing out. The default counts `building=yes` only
 * where it stands in a `landuse=residential` area.
 */
import Flatbush from 'flatbush';
import { area, centroid, containment, flattenWith, withBBox, type FlatMultiPolygon } from '../core/polygon.ts';
import type { Building } from '../core/types.ts';
import { assembleArea, wayLookup } from './boundaries.ts';
import type { OsmData } from './pbf.ts';

export interface ResidentialOptions {
  /** `building` values that are homes wherever they stand. */
  residentialTypes?: readonly string[];
  /** `building` values that are homes only when their centroid lies in a residential area. */
  typesInResidentialAreas?: readonly string[];
  /** `landuse` values of residential areas (closed ways and multipolygon relations). */
  residentialLanduse?: readonly string[];
  /** Levels assumed where `building:levels` is missing or unreadable. */
  defaultLevels?: number;
}

/** The defaults, exported so the UI can show where a number came from. */
export const RESIDENTIAL_DEFAULTS: Required<ResidentialOptions> = {
  residentialTypes: ['apartments', 'residential', 'house', 'dormitory', 'detached', 'terrace', 'semidetached_house', 'bungalow'],
  typesInResidentialAreas: ['yes'],
  residentialLanduse: ['residential'],
  defaultLevels: 1,
};

/**
 * Residential buildings as centroid + weight (footprint area m² × `building:levels`, or × `defaultLevels`).
 * Closed building ways and `type=multipolygon` building relations count; ways cut by the extract edge do not
 * (they lie outside every boundary that closes inside the extract).
 */
export function osmResidentialBuildings(osm: OsmData, opts: ResidentialOptions = {}): Building[] {
  const o = { ...RESIDENTIAL_DEFAULTS, ...opts };
  const always = new Set(o.residentialTypes);
  const conditional = new Set(o.typesInResidentialAreas);
  const landuse = new Set(o.residentialLanduse);
  const wayIndex = wayLookup(osm);

  const areas: FlatMultiPolygon[] = [];
  const relationBuildings: Array<{ shape: FlatMultiPolygon; type: string; levels: string | undefined }> = [];
  // Outer ways of a building relation are drawn by the relation; the rare one that also carries `building` is not a second building.
  const drawnByRelation = new Set<number>();
  for (let r = 0; r < osm.relationIds.length; r++) {
    const tags = osm.relationTags[r];
    if (tags.type !== 'multipolygon') continue;
    const isArea = landuse.has(tags.landuse);
    const isBuilding = always.has(tags.building) || conditional.has(tags.building);
    if (!isArea && !isBuilding) continue;
    const assembled = assembleArea(osm, osm.relationMembers[r], wayIndex);
    if (assembled.polygons.length === 0) continue;
    const shape = flattenWith(assembled.polygons, (n) => osm.nodeLon[n], (n) => osm.nodeLat[n]);
    if (isArea) areas.push(shape);
    if (isBuilding) {
      relationBuildings.push({ shape, type: tags.building, levels: tags['building:levels'] });
      for (const m of osm.relationMembers[r]) {
        const w = m.type === 'way' && m.role !== 'inner' ? wayIndex(m.ref) : -1;
        if (w >= 0) drawnByRelation.add(w);
      }
    }
  }
  for (let w = 0; w < osm.wayIds.length; w++) {
    if (!landuse.has(osm.wayTags[w].landuse)) continue;
    const shape = wayShape(osm, w);
    if (shape) areas.push(shape);
  }
  const inResidentialArea = areaLookup(areas);

  const buildings: Building[] = [];
  const add = (shape: FlatMultiPolygon, type: string, levels: string | undefined) => {
    const [lon, lat] = centroid(shape);
    if (!always.has(type) && !inResidentialArea(lon, lat)) return;
    buildings.push({ lon, lat, weight: area(shape) * (parseLevels(levels) ?? o.defaultLevels) });
  };
  // Building ways are measured in one reused shape: a tiled city has a million of them.
  const scratch = withBBox(new Float64Array(64), Int32Array.of(0, 0), Int32Array.of(0, 1));
  for (let w = 0; w < osm.wayIds.length; w++) {
    const tags = osm.wayTags[w];
    if (!(always.has(tags.building) || conditional.has(tags.building)) || drawnByRelation.has(w)) continue;
    const shape = wayShape(osm, w, scratch);
    if (shape) add(shape, tags.building, tags['building:levels']);
  }
  for (const b of relationBuildings) add(b.shape, b.type, b.levels);
  return buildings;
}

/**
 * Levels from `building:levels`: "6" → 6, "6.5" → 6.5, "6;7" (parts of different height) → their mean 6.5.
 * null for a missing, unreadable or non-positive value (0 marks an underground structure, not a home of no floors).
 */
export function parseLevels(value: string | undefined): number | null {
  if (value === undefined) return null;
  const parts = value.split(';').map((p) => Number(p.trim()));
  if (parts.some((n) => !Number.isFinite(n) || n <= 0)) return null;
  return parts.reduce((s, n) => s + n, 0) / parts.length;
}

/**
 * The one-ring shape of a closed way with all its nodes in the extract, else null.
 * With `scratch`, its arrays are refilled (growing `xy` when needed) and its bounding box is left stale: enough for
 * area and centroid, which do not read it.
 */
function wayShape(osm: OsmData, w: number, scratch?: FlatMultiPolygon): FlatMultiPolygon | null {
  const start = osm.wayRefOffsets[w];
  const n = osm.wayRefOffsets[w + 1] - start;
  if (n < 4 || osm.wayRefs[start] !== osm.wayRefs[start + n - 1]) return null;
  const xy = scratch && scratch.xy.length >= 2 * n ? scratch.xy : new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const node = osm.wayRefs[start + i];
    if (node < 0) return null;
    xy[2 * i] = osm.nodeLon[node];
    xy[2 * i + 1] = osm.nodeLat[node];
  }
  if (!scratch) return withBBox(xy, Int32Array.of(0, n), Int32Array.of(0, 1));
  scratch.xy = xy;
  scratch.ringStart[1] = n;
  return scratch;
}

/** Whether a point lies in any of the areas: flatbush over their boxes, then exact containment. */
function areaLookup(areas: FlatMultiPolygon[]): (x: number, y: number) => boolean {
  if (areas.length === 0) return () => false;
  const index = new Flatbush(areas.length);
  for (const a of areas) index.add(a.minX, a.minY, a.maxX, a.maxY);
  index.finish();
  const tests = areas.map(containment);
  return (x, y) => index.collides(x, y, x, y, (i) => tests[i](x, y));
}
