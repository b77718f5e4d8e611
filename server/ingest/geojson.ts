/**
 * User GeoJSON → communities, facilities and grids. The whole file is validated before anything is
 * returned, so a caller can run an import in one transaction and change nothing on failure.
 * Features are numbered from 1 in messages, the way a planner counts them in a GIS attribute table.
 */
import { firstSelfCrossing } from '../core/polygon.ts';
import type { Community, Facility, Grid, ImportNote, MultiPolygonCoords } from '../core/types.ts';
import { InputError, type Where } from '../errors.ts';
import { requireCategory, type CategoryMapping } from './categories.ts';
import { toWgs84, type Crs } from './coords.ts';
import { areaCentroid } from './facilities.ts';
import { MAX_COUNT, MAX_NAME_CHARS, checkUtf8Text, clipped, decimal, shown } from './text.ts';

/**
 * Most positions one feature may have. Real community and grid boundaries have hundreds to tens of
 * thousands; past this a file is a detailed survey, not a boundary, and is refused at once with the
 * advice to simplify it (reading one of this size, self-intersection check included, takes ~0.1 s).
 */
export const MAX_POSITIONS = 100_000;

export interface CommunityFileOptions {
  /** Names the input in messages and prefixes ids (`<file>:<id>`). */
  file: string;
  /** Property holding a stable id; default: the feature's number. */
  idField?: string;
  nameField: string;
  populationField: string;
  /** Property holding elderly residents; communities without it use the configured share. */
  elderlyField?: string;
  crs: Crs;
}

export interface GridFileOptions {
  /** Names the input in messages and prefixes ids (`<file>:<id>`). */
  file: string;
  /** Property holding a stable id; default: the feature's number. */
  idField?: string;
  nameField: string;
  /** Properties holding whole counts; a grid without them has them unknown (residents then come from the cells). */
  householdsField: string;
  residentsField: string;
  crs: Crs;
}

export interface FacilityFileOptions {
  file: string;
  /** Property holding a category id from categories.json; or give `category` for the whole file. */
  categoryField?: string;
  category?: string;
  nameField?: string;
  capacityField?: string;
  crs: Crs;
  categories: CategoryMapping;
}

type Props = Record<string, unknown>;
interface FeatureRef {
  file: string;
  feature: string;
}

/**
 * Read community polygons (Polygon or MultiPolygon features) with population.
 * @throws InputError naming file, feature and field for anything unusable: bad JSON, wrong
 *   geometry, projected coordinates, open or self-intersecting rings, bad population.
 */
export function readCommunitiesGeoJSON(text: string, options: CommunityFileOptions): { communities: Community[]; notes: ImportNote[] } {
  const { file, idField, nameField, populationField, elderlyField, crs } = options;
  const features = readFeatures(text, file);
  const notes: ImportNote[] = [];
  const ids = new Set<string>();
  const communities = features.map((feature, i) => {
    const props = properties(feature);
    const name = textValue(props[nameField]);
    const where = { file, feature: label(i, name || (idField ? textValue(props[idField]) : '')) };
    checkName(props[nameField], { ...where, field: nameField });
    const rawId = idField ? requireId(props[idField], ids, { ...where, field: idField }) : String(i + 1);
    const polygon = requirePolygon(feature, where);
    const population = readCount(props[populationField], { ...where, field: populationField });
    if (population === null) throw new InputError('the population is missing', { ...where, field: populationField });
    let elderly: number | null = null;
    if (elderlyField) {
      elderly = readCount(props[elderlyField], { ...where, field: elderlyField });
      if (elderly === null) notes.push({ kind: 'no_elderly', subject: where.feature, message: 'no elderly count; the configured elderly share applies' });
      else if (elderly > population) {
        throw new InputError(`${elderly} elderly residents is more than the population, ${population}`, { ...where, field: elderlyField });
      }
    }
    if (!name) notes.push({ kind: 'no_name', subject: where.feature, message: `no ${nameField}; shown by its id` });
    const community: Community = {
      id: `${file}:${rawId}`,
      name: name || rawId,
      source: 'import',
      population,
      elderly,
      polygon: toWgs84Polygon(polygon, crs),
    };
    return community;
  });
  return { communities, notes };
}

/**
 * Read grid management units (Polygon or MultiPolygon features) with optional households and
 * residents, both whole numbers.
 * @throws InputError naming file, feature and field for anything unusable: bad JSON, wrong
 *   geometry, projected coordinates, open or self-intersecting rings, a count that is not a whole number.
 */
export function readGridsGeoJSON(text: string, options: GridFileOptions): Grid[] {
  const { file, idField, nameField, householdsField, residentsField, crs } = options;
  const features = readFeatures(text, file);
  const ids = new Set<string>();
  return features.map((feature, i) => {
    const props = properties(feature);
    const name = textValue(props[nameField]);
    const where = { file, feature: label(i, name || (idField ? textValue(props[idField]) : '')) };
    checkName(props[nameField], { ...where, field: nameField });
    const rawId = idField ? requireId(props[idField], ids, { ...where, field: idField }) : String(i + 1);
    const polygon = requirePolygon(feature, where);
    const grid: Grid = {
      id: `${file}:${rawId}`,
      name: name || rawId,
      households: readWholeCount(props[householdsField], { ...where, field: householdsField }),
      residents: readWholeCount(props[residentsField], { ...where, field: residentsField }),
      polygon: toWgs84Polygon(polygon, crs),
    };
    return grid;
  });
}

/**
 * Read facilities from GeoJSON: Point features, or Polygon/MultiPolygon reduced to their area centroid.
 * @throws InputError naming file, feature and field; an unknown category also lists the known ids.
 */
export function readFacilitiesGeoJSON(text: string, options: FacilityFileOptions): Facility[] {
  const { file, categoryField, nameField, capacityField, crs, categories } = options;
  const fixed = fixedCategory(options);
  const features = readFeatures(text, file);
  return features.map((feature, i) => {
    const props = properties(feature);
    const name = nameField ? textValue(props[nameField]) : '';
    const where = { file, feature: label(i, name) };
    if (nameField) checkName(props[nameField], { ...where, field: nameField });
    const category = fixed ?? requireCategory(props[categoryField!], categories, { ...where, field: categoryField });
    const [lon, lat] = facilityPoint(feature, where);
    const capacity = capacityField ? readCount(props[capacityField], { ...where, field: capacityField }) : null;
    const [wLon, wLat] = toWgs84(lon, lat, crs);
    const facility: Facility = { id: `${file}:${i + 1}`, name, category, lon: wLon, lat: wLat, source: file, capacity };
    return facility;
  });
}

/**
 * The category for every row when the caller gives one, checked against the mapping; null when
 * each row names its own.
 * @throws InputError when neither or both of category and categoryField are given.
 */
export function fixedCategory(options: Pick<FacilityFileOptions, 'file' | 'category' | 'categoryField' | 'categories'>): string | null {
  const { file, category, categoryField, categories } = options;
  if ((category === undefined) === (categoryField === undefined)) {
    throw new InputError('give either a category for the whole file or the field that holds each row\'s category', { file });
  }
  return category === undefined ? null : requireCategory(category, categories, { file, field: 'category' });
}

/**
 * A non-negative number from a property or cell: numbers, or strings that are entirely a number
 * (GIS exports often store counts as text). Null when missing or empty.
 * @throws InputError when present but not a number from 0 to MAX_COUNT.
 */
export function readCount(value: unknown, where: Where): number | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? decimal(value) : NaN;
  if (!Number.isFinite(n)) throw new InputError(`${shown(value)} is not a number`, where);
  if (n < 0) throw new InputError(`${n} is negative`, where);
  if (n > MAX_COUNT) throw new InputError(`${n} is more than ${MAX_COUNT.toLocaleString('en')}, larger than any city; check the field holds a count`, where);
  return n;
}

/** `readCount` for things counted in whole units (households, people). */
function readWholeCount(value: unknown, where: Where): number | null {
  const n = readCount(value, where);
  if (n !== null && !Number.isInteger(n)) throw new InputError(`${n} is not a whole number`, where);
  return n;
}

/**
 * Check a coordinate pair is finite and in degrees.
 * @throws InputError; out-of-range values are named as the projected metres they usually are.
 */
export function checkLonLat(lon: number, lat: number, where: Where): void {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    throw new InputError(`coordinate [${lon}, ${lat}] is not a pair of finite numbers`, where);
  }
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) {
    throw new InputError(
      `coordinate [${lon}, ${lat}] is outside lon ±180 / lat ±90; it looks like projected metres, but coordinates must be WGS84, GCJ-02 or BD-09 degrees`,
      where,
    );
  }
}

function readFeatures(text: string, file: string): Props[] {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new InputError('the file is empty', { file });
  checkUtf8Text(text, file);
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, { file });
  }
  if (isObject(json) && json.type === 'FeatureCollection' && !Array.isArray(json.features)) {
    throw new InputError(`the FeatureCollection's "features" is ${shown(json.features)}, not a list of features`, { file, field: 'features' });
  }
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    const found = isObject(json) && typeof json.type === 'string' ? `type ${shown(json.type)}` : 'something else';
    throw new InputError(`expected a GeoJSON FeatureCollection, found ${found}`, { file });
  }
  if (json.features.length === 0) throw new InputError('the FeatureCollection has no features', { file });
  json.features.forEach((f, i) => {
    if (!isObject(f) || f.type !== 'Feature') throw new InputError('expected a GeoJSON Feature', { file, feature: label(i, '') });
  });
  return json.features as Props[];
}

function properties(feature: Props): Props {
  return isObject(feature.properties) ? feature.properties : {};
}

function geometryType(feature: Props): string {
  return isObject(feature.geometry) && typeof feature.geometry.type === 'string' ? clipped(feature.geometry.type) : '(none)';
}

/** `3 ("道里社区")`: the number to find the feature, the name to recognise it. */
function label(i: number, name: string): string {
  return name ? `${i + 1} ("${clipped(name)}")` : String(i + 1);
}

/**
 * A name is text (or a number, as GIS tools write codes) of at most MAX_NAME_CHARS; absent or null is
 * no name. Anything else is a mistake in the file, not a name to drop quietly.
 * @throws InputError naming the field.
 */
function checkName(value: unknown, where: Where): void {
  if (value === undefined || value === null || typeof value === 'number') return;
  if (typeof value !== 'string') throw new InputError(`${shown(value)} is not a name (text)`, where);
  if (value.trim().length > MAX_NAME_CHARS) throw new InputError(`the name has ${value.trim().length.toLocaleString('en')} characters; at most ${MAX_NAME_CHARS}`, where);
}

function textValue(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function requireId(value: unknown, seen: Set<string>, where: { file: string; feature: string; field: string }): string {
  if (value !== undefined && value !== null && typeof value !== 'string' && typeof value !== 'number') throw new InputError(`${shown(value)} is not an id (text or a number)`, where);
  const id = textValue(value);
  if (!id) throw new InputError('the id is missing', where);
  if (id.length > MAX_NAME_CHARS) throw new InputError(`the id has ${id.length.toLocaleString('en')} characters; at most ${MAX_NAME_CHARS}`, where);
  if (seen.has(id)) throw new InputError(`duplicate id "${id}"`, where);
  seen.add(id);
  return id;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The feature's polygons as MultiPolygon coordinates in the file's own system, fully checked;
 * null when the geometry is not polygonal (the caller decides whether that is an error).
 */
function polygonal(feature: Props, where: FeatureRef, checkKinks: boolean): MultiPolygonCoords | null {
  const geometry = feature.geometry;
  if (geometry === undefined || geometry === null) throw new InputError('the feature has no geometry', { ...where, field: 'geometry' });
  if (!isObject(geometry)) throw new InputError(`the geometry is ${shown(geometry)}, not a GeoJSON geometry object`, { ...where, field: 'geometry' });
  if (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') return null;
  if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
    throw new InputError(`the ${geometry.type} has no coordinates`, { ...where, field: 'geometry' });
  }
  const polygons: unknown[] = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  // counted before any is checked, so a survey-sized polygon is refused before it costs anything
  let positions = 0;
  for (const rings of polygons) if (Array.isArray(rings)) for (const ring of rings) if (Array.isArray(ring)) positions += ring.length;
  if (positions > MAX_POSITIONS) {
    throw new InputError(
      `the ${geometry.type} has ${positions.toLocaleString('en')} positions, more than the ${MAX_POSITIONS.toLocaleString('en')} a feature may have; simplify it (in QGIS: Simplify) and import again`,
      { ...where, field: 'geometry' },
    );
  }
  return polygons.map((rings, p) => {
    const at = (k: number) => `${polygons.length > 1 ? `polygon ${p + 1}, ` : ''}ring ${k + 1} (${k === 0 ? 'outer' : 'hole'})`;
    if (!Array.isArray(rings) || rings.length === 0) {
      throw new InputError(`polygon ${p + 1} is not a list of rings`, { ...where, field: 'geometry' });
    }
    const checked = rings.map((ring: unknown, k: number) => checkRing(ring, at(k), where, checkKinks));
    // a hole outside its outer ring is no hole (and makes h3-js fail to cover the polygon)
    const [w, so, e, n] = extent(checked[0]);
    checked.forEach((hole, k) => {
      const [hw, hs, he, hn] = extent(hole);
      if (k > 0 && (hw < w || hs < so || he > e || hn > n)) throw new InputError(`${at(k)} reaches outside the outer ring; a hole must lie inside it`, { ...where, field: 'geometry' });
    });
    return checked;
  });
}

/** The feature's polygons, fully checked, for inputs that must be areas (communities, grids). */
function requirePolygon(feature: Props, where: FeatureRef): MultiPolygonCoords {
  const polygon = polygonal(feature, where, true);
  if (!polygon) throw new InputError(`geometry type ${geometryType(feature)} is not supported; expected Polygon or MultiPolygon`, { ...where, field: 'geometry' });
  // an area with nothing inside (a hole the size of its ring, a ring folded flat) holds no cell and no interior point
  if (!areaCentroid(polygon.map((rings) => rings[0]), polygon.flatMap((rings) => rings.slice(1)))) throw new InputError('the polygon has no area', { ...where, field: 'geometry' });
  return polygon;
}

function checkRing(ring: unknown, at: string, where: FeatureRef, checkKinks: boolean): number[][] {
  const w = { ...where, field: 'geometry' };
  if (!Array.isArray(ring)) throw new InputError(`${at} is not a list of positions`, w);
  const positions = ring.map((pos: unknown) => {
    if (!Array.isArray(pos) || pos.length < 2 || typeof pos[0] !== 'number' || typeof pos[1] !== 'number') {
      throw new InputError(`${at} has a position that is not [lon, lat]: ${shown(pos)}`, w);
    }
    checkLonLat(pos[0], pos[1], w);
    return [pos[0], pos[1]];
  });
  if (positions.length < 4) {
    throw new InputError(`${at} has ${positions.length} positions; a ring needs at least 4, the first repeated at the end`, w);
  }
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    throw new InputError(`${at} is not closed: it starts at [${first}] and ends at [${last}]`, w);
  }
  if (checkKinks) {
    // A repeated vertex makes two non-adjacent segments touch; that is sloppy, not self-intersecting.
    const distinct = positions.filter((p, k) => k === 0 || p[0] !== positions[k - 1][0] || p[1] !== positions[k - 1][1]);
    const crossing = firstSelfCrossing(distinct);
    if (crossing) {
      const [x, y] = crossing;
      throw new InputError(
        `${at} crosses itself near lon ${x.toFixed(6)}, lat ${y.toFixed(6)}; draw it as a simple polygon (in QGIS: Fix Geometries) and import again`,
        w,
      );
    }
  }
  return positions;
}

/** West, south, east, north of a ring. */
function extent(ring: number[][]): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of ring) (w = Math.min(w, x)), (e = Math.max(e, x)), (s = Math.min(s, y)), (n = Math.max(n, y));
  return [w, s, e, n];
}

function toWgs84Polygon(polygon: MultiPolygonCoords, crs: Crs): MultiPolygonCoords {
  if (crs === 'wgs84') return polygon;
  return polygon.map((rings) => rings.map((ring) => ring.map(([lon, lat]) => toWgs84(lon, lat, crs))));
}

/** A Point's position, or a polygon's area centroid, in the file's own system. */
function facilityPoint(feature: Props, where: FeatureRef): [number, number] {
  const geometry = feature.geometry;
  if (isObject(geometry) && geometry.type === 'Point') {
    const c = geometry.coordinates;
    if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
      throw new InputError(`the Point's coordinates are not [lon, lat]: ${shown(c)}`, { ...where, field: 'geometry' });
    }
    checkLonLat(c[0], c[1], { ...where, field: 'geometry' });
    return [c[0], c[1]];
  }
  const polygon = polygonal(feature, where, false);
  if (!polygon) {
    throw new InputError(`geometry type ${geometryType(feature)} is not supported; expected Point, Polygon or MultiPolygon`, { ...where, field: 'geometry' });
  }
  const centroid = areaCentroid(polygon.map((rings) => rings[0]), polygon.flatMap((rings) => rings.slice(1)));
  if (!centroid) throw new InputError('the polygon has no area', { ...where, field: 'geometry' });
  return centroid;
}
