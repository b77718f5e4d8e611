import { readFileSync } from 'node:fs';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import type { Geometry, Position } from 'geojson';
import { Hono } from 'hono';
import { PbfReader } from 'pbf';
import { beforeAll, describe, expect, it } from 'vitest';
import { BasemapTiles, BASEMAP_LAYERS, type Basemap } from '../server/core/tiles.ts';
import { readBasemap, writeBasemap } from '../server/db/basemap.ts';
import { openDb, transaction } from '../server/db/connection.ts';
import { osmBasemap } from '../server/ingest/basemap.ts';
import { readPbf, type OsmData, type Tags } from '../server/ingest/pbf.ts';
import { tilesRoutes } from '../server/routes/tiles.ts';
import { basemapStyle } from '../web/src/map/style.ts';
import { at, basemapFixture, riverFixture } from './fixtures/osm/basemap.ts';
import { HARBIN_PBF } from './helpers/harbin.ts';

/** A closed ring through grid points. */
const ringAt = (...points: Array<[number, number]>): Position[] => [...points, points[0]].map(([x, y]) => at(x, y));
const props = (b: Basemap, layer: keyof Basemap) => b[layer].features.map((f) => f.properties);
const geometries = (b: Basemap, layer: keyof Basemap) => b[layer].features.map((f) => f.geometry);

/** Twice the signed area of a ring in the plane of lon/lat: positive counter-clockwise. */
function twiceArea(ring: Position[]): number {
  let s = 0;
  for (let i = 1; i < ring.length; i++) s += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1];
  return s;
}

describe('osmBasemap on a hand-built extract', () => {
  const basemap = osmBasemap(basemapFixture());

  it('puts a multipolygon lake in water with its island as a clockwise hole, and the island itself in green', () => {
    expect(geometries(basemap, 'water')[0]).toEqual({
      type: 'Polygon',
      coordinates: [ringAt([2, 2], [8, 2], [8, 8], [2, 8]), ringAt([4, 4], [4, 6], [6, 6], [6, 4])],
    });
    expect(basemap.green.features[0]).toEqual({
      type: 'Feature',
      properties: { class: 'grass' },
      geometry: { type: 'Polygon', coordinates: [ringAt([4, 4], [6, 4], [6, 6], [4, 6])] },
    });
  });

  it('gives green areas their tag value as class and winds a clockwise-drawn park counter-clockwise', () => {
    expect(props(basemap, 'green')).toEqual([{ class: 'grass' }, { class: 'forest' }, { class: 'park' }, { class: 'pitch' }]);
    expect(geometries(basemap, 'green')[2]).toEqual({ type: 'Polygon', coordinates: [ringAt([10, 14], [12, 14], [12, 16], [10, 16])] });
  });

  it('closes a forest cut by the east edge of the extract along that edge', () => {
    expect(geometries(basemap, 'green')[1]).toEqual({
      type: 'Polygon',
      coordinates: [ringAt([19, 8], [14, 8], [14, 2], [19, 2], [20, 2], [20, 8])],
    });
  });

  it('closes a pitch whose closing node lies beyond the north edge', () => {
    expect(geometries(basemap, 'green')[3]).toEqual({ type: 'Polygon', coordinates: [ringAt([2, 19], [5, 19], [5, 20], [2, 20])] });
  });

  it('draws a building relation once, with its courtyard, though its outer way is tagged building too; skips building=no', () => {
    expect(basemap.buildings.features).toEqual([
      {
        type: 'Feature',
        properties: {},
        geometry: { type: 'Polygon', coordinates: [ringAt([16, 16], [19, 16], [19, 19], [16, 19]), ringAt([17, 17], [17, 18], [18, 18], [18, 17])] },
      },
      { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ringAt([14, 14], [15, 14], [15, 15], [14, 15])] } },
    ]);
  });

  it('classes roads and rail, names them from name:zh before name, and leaves out proposed, construction and area highways', () => {
    expect(props(basemap, 'roads')).toEqual([
      { class: 'primary', name: '中山路' },
      { class: 'minor', name: 'Xidazhi Jie' },
      { class: 'trunk' },
      { class: 'path' },
      { class: 'rail' },
      { class: 'tertiary' },
    ]);
    expect(geometries(basemap, 'roads')[0]).toEqual({ type: 'LineString', coordinates: [at(10, 10), at(13, 10)] });
  });

  it('splits a road where the extract cut a node out of it, and drops a road with one node left inside', () => {
    expect(geometries(basemap, 'roads')[5]).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [at(1, 10), at(3, 10)],
        [at(7, 10), at(9, 10)],
      ],
    });
    expect(basemap.roads.features).toHaveLength(6);
  });

  it('adds rivers to water as lines with their class, not drains', () => {
    expect(basemap.water.features.slice(1)).toEqual([
      { type: 'Feature', properties: { class: 'river' }, geometry: { type: 'LineString', coordinates: [at(1, 15), at(9, 15)] } },
    ]);
  });

  it('draws each admin level 6 and 8 boundary way once, at its lowest level', () => {
    expect(basemap.boundaries.features.map((f) => [f.properties!.admin_level, f.geometry])).toEqual([
      [6, { type: 'LineString', coordinates: [at(0, 18), at(10, 18)] }],
      [6, { type: 'LineString', coordinates: [at(10, 18), at(20, 18)] }],
      [8, { type: 'LineString', coordinates: [at(20, 18), at(20, 20)] }],
    ]);
  });

  it('closes a river cut open on both sides along the edge, choosing the side that holds its island over the smaller one', () => {
    const river = osmBasemap(riverFixture());
    expect(geometries(river, 'water')).toEqual([
      {
        type: 'Polygon',
        coordinates: [ringAt([1, 2], [19, 2], [20, 2], [20, 18], [19, 18], [1, 18], [0, 18], [0, 2]), ringAt([8, 8], [8, 12], [12, 12], [12, 8])],
      },
    ]);
  });
});

/** Whether way w is closed and drawable: at least two consecutive nodes inside the extract. */
function wayShape(osm: OsmData, w: number) {
  const s = osm.wayRefOffsets[w];
  const e = osm.wayRefOffsets[w + 1];
  let piece = false;
  for (let k = s; k + 1 < e; k++) if (osm.wayRefs[k] >= 0 && osm.wayRefs[k + 1] >= 0) piece = true;
  return { closed: e - s >= 4 && osm.wayRefs[s] === osm.wayRefs[e - 1], piece };
}

describe('osmBasemap on Harbin', () => {
  let osm: OsmData;
  let basemap: Basemap;
  beforeAll(() => {
    osm = readPbf(readFileSync(HARBIN_PBF));
    basemap = osmBasemap(osm);
  });

  /**
   * Features an independent reading of the tags expects in an area layer: multipolygon relations with an outer way in
   * the extract (东北农业大学后稷园, relation 14068411, has inner ways only), plus closed ways with two nodes in a row
   * inside the extract that no such relation draws.
   */
  function areaCount(is: (t: Tags) => boolean): number {
    const wayIndex = new Map(Array.from(osm.wayIds, (id, w) => [id, w]));
    const byRelation = new Set<number>();
    let n = 0;
    osm.relationTags.forEach((t, r) => {
      if (t.type !== 'multipolygon' || !is(t)) return;
      const outer = osm.relationMembers[r].filter((m) => m.type === 'way' && m.role !== 'inner' && wayIndex.has(m.ref));
      if (outer.length) n++;
      for (const m of outer) byRelation.add(wayIndex.get(m.ref)!);
    });
    osm.wayTags.forEach((t, w) => {
      const { closed, piece } = wayShape(osm, w);
      if (is(t) && !byRelation.has(w) && closed && piece) n++;
    });
    return n;
  }
  const lineCount = (is: (t: Tags) => boolean) => osm.wayTags.filter((t, w) => is(t) && wayShape(osm, w).piece).length;
  const polygons = (layer: keyof Basemap) => basemap[layer].features.filter((f) => f.geometry.type.endsWith('Polygon')).length;

  it('has as many buildings, green and water areas as closed ways and multipolygons carry the tags', () => {
    expect(polygons('buildings')).toBe(areaCount((t) => t.building !== undefined && t.building !== 'no'));
    const green = (t: Tags) =>
      ['park', 'garden', 'pitch', 'playground'].includes(t.leisure) ||
      ['grass', 'forest', 'meadow', 'recreation_ground', 'village_green'].includes(t.landuse) ||
      ['wood', 'scrub', 'grassland'].includes(t.natural);
    expect(polygons('green')).toBe(areaCount(green));
    const water = (t: Tags) => t.natural === 'water' || t.waterway === 'riverbank' || ['reservoir', 'basin'].includes(t.landuse) || 'water' in t;
    expect(polygons('water')).toBe(areaCount(water));
  });

  it('has one road per highway or rail way of a drawn kind, by class', () => {
    const classOf = (t: Tags): string | undefined => {
      const h = t.highway;
      if (h === undefined) return ['rail', 'subway', 'light_rail'].includes(t.railway) ? 'rail' : undefined;
      if (t.area === 'yes') return undefined;
      const base = h.replace(/_link$/, '');
      if (['motorway', 'trunk', 'primary', 'secondary', 'tertiary'].includes(base)) return base;
      if (['unclassified', 'residential', 'living_street', 'road', 'pedestrian', 'busway'].includes(h)) return 'minor';
      if (['service', 'track'].includes(h)) return 'service';
      if (['footway', 'path', 'cycleway', 'steps', 'bridleway', 'corridor'].includes(h)) return 'path';
    };
    const expected: Record<string, number> = {};
    osm.wayTags.forEach((t, w) => {
      const c = classOf(t);
      if (c && wayShape(osm, w).piece) expected[c] = (expected[c] ?? 0) + 1;
    });
    const actual: Record<string, number> = {};
    for (const f of basemap.roads.features) actual[f.properties!.class] = (actual[f.properties!.class] ?? 0) + 1;
    expect(actual).toEqual(expected);
    expect(expected.motorway).toBeGreaterThan(0);
  });

  it('has every river, canal and stream line and every admin 6 and 8 boundary way once', () => {
    expect(basemap.water.features.length - polygons('water')).toBe(lineCount((t) => ['river', 'canal', 'stream'].includes(t.waterway)));
    const boundaryWays = new Set<number>();
    osm.relationTags.forEach((t, r) => {
      if (t.boundary !== 'administrative' || !['6', '8'].includes(t.admin_level)) return;
      for (const m of osm.relationMembers[r]) if (m.type === 'way') boundaryWays.add(m.ref);
    });
    const drawable = [...boundaryWays].filter((id) => {
      const w = osm.wayIds.indexOf(id);
      return w >= 0 && wayShape(osm, w).piece;
    });
    expect(basemap.boundaries.features).toHaveLength(drawable.length);
  });

  it('draws the Songhua, which the extract cuts open on both sides: its main channel is water, the city centre is not', () => {
    const inWater = (lon: number, lat: number) => basemap.water.features.some((f) => f.geometry.type.endsWith('Polygon') && contains(f.geometry, lon, lat));
    // the main channel off the Flood Control Monument, and near the west edge of the extract
    expect(inWater(126.62, 45.786)).toBe(true);
    expect(inWater(126.512, 45.77)).toBe(true);
    expect(inWater(126.63, 45.75)).toBe(false);
  });

  it('writes only valid geometry: closed rings of four or more positions, outer counter-clockwise, holes clockwise, 6 decimals', () => {
    const bad: string[] = [];
    const check = (p: Position) => {
      if (p.length !== 2 || p.some((v) => Math.round(v * 1e6) / 1e6 !== v)) bad.push(`position ${p}`);
    };
    for (const layer of BASEMAP_LAYERS) {
      for (const f of basemap[layer].features) {
        const g = f.geometry;
        const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
        for (const poly of polys) {
          poly.forEach((ring, i) => {
            const closed = ring.length >= 4 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
            if (!closed || (i === 0) !== twiceArea(ring) > 0) bad.push(`${layer} ring ${i} of ${JSON.stringify(ring).slice(0, 80)}`);
            ring.forEach(check);
          });
        }
        const lines = g.type === 'LineString' ? [g.coordinates] : g.type === 'MultiLineString' ? g.coordinates : [];
        for (const line of lines) {
          if (line.length < 2) bad.push(`${layer} line ${JSON.stringify(line)}`);
          line.forEach(check);
        }
        if (polys.length === 0 && lines.length === 0) bad.push(`${layer} geometry ${g.type}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('survives the database unchanged, and a rebuild replaces it', async () => {
    const db = await openDb(':memory:');
    try {
      await transaction(db.conn, () => writeBasemap(db.conn, osmBasemap(basemapFixture())));
      await transaction(db.conn, () => writeBasemap(db.conn, basemap));
      expect(await readBasemap(db.conn)).toEqual(basemap);
    } finally {
      db.close();
    }
  });

  it('names the fix when the database has no basemap table', async () => {
    const db = await openDb(':memory:');
    try {
      await expect(readBasemap(db.conn)).rejects.toThrow('the database has no basemap table: rebuild the city (npm run build:db)');
    } finally {
      db.close();
    }
  });
});

/** Whether a (Multi)Polygon holds the point (even-odd over all rings). */
function contains(g: Geometry, x: number, y: number): boolean {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  let inside = false;
  for (const ring of polys.flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** The z/x/y tile holding a point (web mercator). */
function tileOf(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** Position of a point inside tile z/x/y in tile units (0–4096). */
function inTile(lon: number, lat: number, z: number, x: number, y: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [(((lon + 180) / 360) * n - x) * 4096, (((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n - y) * 4096];
}

describe('basemap tiles of Harbin', () => {
  let osm: OsmData;
  let tiles: BasemapTiles;
  let app: Hono;
  beforeAll(() => {
    osm = readPbf(readFileSync(HARBIN_PBF));
    tiles = new BasemapTiles(osmBasemap(osm));
    app = new Hono().route('/api', tilesRoutes(tiles));
  });
  const [x14, y14] = tileOf(126.63, 45.75, 14);
  const decode = (bytes: Uint8Array) => new VectorTile(new PbfReader(bytes));

  it('holds every layer in the z14 tile of the city centre, version 2 with extent 4096', () => {
    const layers = decode(tiles.tile(14, x14, y14)!).layers;
    expect(Object.keys(layers).sort()).toEqual([...BASEMAP_LAYERS].sort());
    for (const layer of Object.values(layers)) expect([layer.version, layer.extent]).toEqual([2, 4096]);
  });

  it('has 中山路 and 红军街 as primary roads and the HIT hospital building in that tile', () => {
    const { roads, buildings } = decode(tiles.tile(14, x14, y14)!).layers;
    const named = (layer: VectorTileLayer) => Array.from({ length: layer.length }, (_, i) => layer.feature(i).properties);
    expect(named(roads)).toEqual(expect.arrayContaining([{ class: 'primary', name: '中山路' }, { class: 'primary', name: '红军街' }]));

    // 哈尔滨工业大学医院, way 337734229: the mean of its nodes lies in one of the tile's building polygons
    const w = osm.wayIds.indexOf(337734229);
    const refs = Array.from(osm.wayRefs.subarray(osm.wayRefOffsets[w], osm.wayRefOffsets[w + 1] - 1));
    const lon = refs.reduce((s, n) => s + osm.nodeLon[n], 0) / refs.length;
    const lat = refs.reduce((s, n) => s + osm.nodeLat[n], 0) / refs.length;
    const [px, py] = inTile(lon, lat, 14, x14, y14);
    const hit = Array.from({ length: buildings.length }, (_, i) => buildings.feature(i)).filter((f) => {
      const rings = f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]));
      return contains({ type: 'Polygon', coordinates: rings }, px, py);
    });
    expect(hit).toHaveLength(1);
  });

  it('leaves buildings out below z13, and minor streets, service roads and paths below z12', () => {
    const roadClasses = (z: number) => {
      const [x, y] = tileOf(126.63, 45.75, z);
      const { layers } = decode(tiles.tile(z, x, y)!);
      const classes = new Set(Array.from({ length: layers.roads.length }, (_, i) => layers.roads.feature(i).properties.class));
      return { layers: Object.keys(layers).sort(), classes: [...classes].sort() };
    };
    expect(roadClasses(11)).toEqual({
      layers: ['boundaries', 'green', 'roads', 'water'],
      classes: ['primary', 'rail', 'secondary', 'tertiary', 'trunk'],
    });
    expect(roadClasses(12)).toEqual({
      layers: ['boundaries', 'green', 'roads', 'water'],
      classes: ['minor', 'path', 'primary', 'rail', 'secondary', 'service', 'tertiary', 'trunk'],
    });
    expect(roadClasses(13).layers).toEqual(['boundaries', 'buildings', 'green', 'roads', 'water']);
  });

  it('gives null for a tile with nothing in it, and for zooms beyond 16', () => {
    expect(tiles.tile(14, 0, 0)).toBeNull();
    const [x, y] = tileOf(126.63, 45.75, 17);
    expect(tiles.tile(17, x, y)).toBeNull();
  });

  it('boxes the data', () => {
    const [w, s, e, n] = tiles.bbox!;
    expect([w, s, e, n].map((v) => Math.round(v * 100) / 100)).toEqual([126.51, 45.66, 126.77, 45.83]);
  });

  it('serves a tile as protobuf for an hour', async () => {
    const res = await app.request(`/api/tiles/basemap/14/${x14}/${y14}.pbf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(tiles.tile(14, x14, y14));
  });

  it('answers 204 for an empty tile of the ocean', async () => {
    const res = await app.request('/api/tiles/basemap/14/0/0.pbf');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('answers 400 naming z, x or y for a tile address that does not exist', async () => {
    const error = async (path: string) => {
      const res = await app.request(path);
      return { status: res.status, body: await res.json() };
    };
    expect(await error('/api/tiles/basemap/99/0/0.pbf')).toEqual({
      status: 400,
      body: { error: { message: 'path parameter "z": "99" is not a zoom (a whole number from 0 to 22)', param: 'z' } },
    });
    expect(await error('/api/tiles/basemap/2/4/0.pbf')).toEqual({
      status: 400,
      body: { error: { message: 'path parameter "x": "4" is not a tile column at zoom 2 (a whole number from 0 to 3)', param: 'x' } },
    });
    expect(await error('/api/tiles/basemap/14/13955/abc.pbf')).toEqual({
      status: 400,
      body: { error: { message: 'path parameter "y": "abc" is not a tile row at zoom 14 (a whole number from 0 to 16383)', param: 'y' } },
    });
    expect(await error('/api/tiles/basemap/14/13955/5845.png')).toEqual({
      status: 400,
      body: { error: { message: 'path parameter "y": "5845.png" must be a tile row followed by .pbf', param: 'y' } },
    });
    expect((await error('/api/tiles/basemap/-1/0/0.pbf')).body.error.param).toBe('z');
  });

  it('serves a style for its own tiles, with absolute tile URLs and the data box', async () => {
    const res = await app.request('http://127.0.0.1:8080/api/style.json');
    expect(res.status).toBe(200);
    const style = await res.json();
    expect(style.sources.basemap.tiles).toEqual(['http://127.0.0.1:8080/api/tiles/basemap/{z}/{x}/{y}.pbf']);
    expect(style.sources.basemap.bounds).toEqual(tiles.bbox);
  });

  it('redirects to the configured style URL when there is one', async () => {
    const res = await new Hono().route('/api', tilesRoutes(tiles, { styleUrl: 'https://tiles.example.org/style.json' })).request('/api/style.json');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://tiles.example.org/style.json');
  });
});

describe('basemapStyle', () => {
  const styles = [basemapStyle('http://x/{z}/{x}/{y}.pbf'), basemapStyle('http://x/{z}/{x}/{y}.pbf', { dark: true, bounds: [126.5, 45.6, 126.8, 45.9] })];

  it('is a valid MapLibre style, light and dark', () => {
    for (const style of styles) expect(validateStyleMin(style)).toEqual([]);
  });

  it('downloads nothing but its tiles: no glyphs, no sprite, no text', () => {
    for (const style of styles) {
      expect(style.glyphs).toBeUndefined();
      expect(style.sprite).toBeUndefined();
      expect(style.layers.filter((l) => l.type === 'symbol')).toEqual([]);
    }
  });

  it('draws from every layer of the tiles', () => {
    const used = new Set(styles[0].layers.map((l) => ('source-layer' in l ? l['source-layer'] : undefined)));
    expect([...BASEMAP_LAYERS].filter((name) => !used.has(name))).toEqual([]);
  });
});
