/**
 * Vector tiles of the city's own basemap, cut on request: one geojson-vt index per layer, built once at start-up,
 * and each z/x/y encoded by vt-pbf into one Mapbox Vector Tile (spec v2) holding every layer that has features there.
 * Encoded tiles are kept in a bounded LRU cache: a map pans over the same few hundred tiles again and again.
 */
import { createRequire } from 'node:module';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import GeoJSONVT, { type LegacyTile } from 'geojson-vt';

/** The basemap layers, bottom to top; also the MVT layer names. */
export const BASEMAP_LAYERS = ['water', 'green', 'buildings', 'roads', 'boundaries'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];

/** The city's own basemap: one GeoJSON FeatureCollection per layer (ingest/basemap.ts makes it, db/basemap.ts stores it). */
export type Basemap = Record<BasemapLayer, FeatureCollection>;

/** A basemap with every layer empty. */
export function emptyBasemap(): Basemap {
  const fc = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });
  return { water: fc(), green: fc(), buildings: fc(), roads: fc(), boundaries: fc() };
}

/** Deepest zoom cut; MapLibre over-zooms beyond it. */
export const BASEMAP_MAX_ZOOM = 16;
/** Buildings are left out of tiles below this zoom: 16k footprints in a z12 tile are grey noise and 1 MB. */
export const BUILDINGS_MIN_ZOOM = 13;
/** Minor streets, service roads and paths are left out below this zoom: most of the roads, little of the picture. */
export const MINOR_ROADS_MIN_ZOOM = 12;
const MINOR_ROADS = new Set(['minor', 'service', 'path']);
const EXTENT = 4096;
const CACHE_TILES = 2000;

// vt-pbf 3 is CommonJS and ships no types: the one function used, typed here.
const vtpbf = createRequire(import.meta.url)('vt-pbf') as {
  fromGeojsonVt(layers: Record<string, LegacyTile>, options: { version: number; extent: number }): Uint8Array<ArrayBuffer>;
};

/**
 * Basemap tiles on demand.
 * @example
 * const tiles = new BasemapTiles(await readBasemap(conn));
 * tiles.tile(14, 13955, 5866); // MVT bytes, or null where every layer is empty
 */
export class BasemapTiles {
  /** [west, south, east, north] of every feature of every layer; null for an empty basemap. */
  readonly bbox: [number, number, number, number] | null;
  /** Each layer, or part of one, with the zoom it starts at. */
  private readonly indexes: Array<{ name: BasemapLayer; index: GeoJSONVT; minZoom: number }> = [];
  // Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  private readonly cache = new Map<string, Uint8Array<ArrayBuffer> | null>();

  constructor(basemap: Basemap) {
    this.bbox = basemapBBox(basemap);
    const add = (name: BasemapLayer, features: Feature[], minZoom: number) => {
      // indexMaxZoom 5 keeps start-up short; deeper tiles are cut from their z5 parent when first asked for.
      // tolerance 3 (of 4096) simplifies below a third of a screen pixel.
      const options = { maxZoom: BASEMAP_MAX_ZOOM, indexMaxZoom: 5, tolerance: 3, extent: EXTENT, buffer: 64 };
      this.indexes.push({ name, index: new GeoJSONVT({ type: 'FeatureCollection', features }, options), minZoom });
    };
    for (const name of BASEMAP_LAYERS) {
      const { features } = basemap[name];
      if (name === 'roads') {
        add(name, features.filter((f) => !MINOR_ROADS.has(f.properties?.class)), 0);
        add(name, features.filter((f) => MINOR_ROADS.has(f.properties?.class)), MINOR_ROADS_MIN_ZOOM);
      } else add(name, features, name === 'buildings' ? BUILDINGS_MIN_ZOOM : 0);
    }
  }

  /** The encoded tile z/x/y (a valid tile address), or null when no layer has a feature in it (or z > 16). */
  tile(z: number, x: number, y: number): Uint8Array<ArrayBuffer> | null {
    const key = `${z}/${x}/${y}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const layers: Record<string, LegacyTile> = {};
    let empty = true;
    for (const { name, index, minZoom } of this.indexes) {
      if (z < minZoom) continue;
      const t = index.getTile(z, x, y);
      if (!t || t.features.length === 0) continue;
      layers[name] = layers[name] ? { features: layers[name].features.concat(t.features) } : t;
      empty = false;
    }
    const bytes = empty ? null : vtpbf.fromGeojsonVt(layers, { version: 2, extent: EXTENT });
    this.cache.set(key, bytes);
    if (this.cache.size > CACHE_TILES) this.cache.delete(this.cache.keys().next().value!);
    return bytes;
  }
}

/** [west, south, east, north] of all coordinates of the basemap, or null when it has none. */
export function basemapBBox(basemap: Basemap): [number, number, number, number] | null {
  const box = [Infinity, Infinity, -Infinity, -Infinity] as [number, number, number, number];
  const add = (p: Position) => {
    if (p[0] < box[0]) box[0] = p[0];
    if (p[1] < box[1]) box[1] = p[1];
    if (p[0] > box[2]) box[2] = p[0];
    if (p[1] > box[3]) box[3] = p[1];
  };
  const visit = (g: Geometry) => {
    switch (g.type) {
      case 'Point':
        return add(g.coordinates);
      case 'MultiPoint':
      case 'LineString':
        return g.coordinates.forEach(add);
      case 'MultiLineString':
      case 'Polygon':
        return g.coordinates.forEach((line) => line.forEach(add));
      case 'MultiPolygon':
        return g.coordinates.forEach((poly) => poly.forEach((ring) => ring.forEach(add)));
      case 'GeometryCollection':
        return g.geometries.forEach(visit);
    }
  };
  for (const name of BASEMAP_LAYERS) for (const f of basemap[name].features) if (f.geometry) visit(f.geometry);
  return box[0] <= box[2] ? box : null;
}
