/**
 * Land use at cell centres (water, then green, from the basemap's areas): by construction on a
 * hand-drawn fixture, and on Harbin against turf's point-in-polygon over the stored basemap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { landuseAt } from '../server/core/landuse.ts';
import { readBasemap } from '../server/db/basemap.ts';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';

const square = (x: number, y: number, d: number): Feature<Polygon> => ({
  type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] },
});
const fc = (...features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });

describe('land use at points', () => {
  it('says water inside water, green inside green only, nothing elsewhere; water wins where both', () => {
    // water 0–2 × 0–2; green 1–4 × 1–4 (overlapping the water's corner); a river line that is no area
    const river: Feature = { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[0, 5], [9, 5]] } };
    const basemap = { water: fc(square(0, 0, 2), river), green: fc(square(1, 1, 3)) };
    const lon = [0.5, 1.5, 3, 5, 4.5];
    const lat = [0.5, 1.5, 3, 5, 5];
    expect(landuseAt(basemap, lon, lat)).toEqual(['water', 'water', 'green', null, null]);
  });
});

describe('land use of Harbin cells', () => {
  let h: Built;
  beforeAll(async () => {
    h = await buildHarbin();
  });
  afterAll(() => h?.dispose());

  it('matches turf point-in-polygon over the stored basemap for 400 sampled cells', async () => {
    const basemap = await readBasemap(h.db.conn);
    const cells = await h.rows<{ lon: number; lat: number; landuse: string | null }>('SELECT lon, lat, landuse FROM cells ORDER BY cell_idx');
    const counts = await h.rows<{ landuse: string | null; n: number }>('SELECT landuse, count(*) AS n FROM cells GROUP BY landuse ORDER BY landuse');
    // the river and the parks are there
    expect(counts.find((c) => c.landuse === 'water')!.n).toBeGreaterThan(100);
    expect(counts.find((c) => c.landuse === 'green')!.n).toBeGreaterThan(100);
    const areas = (layer: FeatureCollection) => layer.features.filter((f): f is Feature<Polygon | MultiPolygon> => f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon');
    const water = areas(basemap.water);
    const green = areas(basemap.green);
    const rand = seeded(42);
    // half the sample from each land use, half anywhere
    const pick = (want: string | null) => cells.filter((c) => c.landuse === want);
    const sample = [...pick('water').slice(0, 100), ...pick('green').slice(0, 100), ...Array.from({ length: 200 }, () => cells[Math.floor(rand() * cells.length)])];
    for (const c of sample) {
      const inWater = water.some((f) => booleanPointInPolygon([c.lon, c.lat], f));
      const inGreen = green.some((f) => booleanPointInPolygon([c.lon, c.lat], f));
      expect(c.landuse).toBe(inWater ? 'water' : inGreen ? 'green' : null);
    }
  });
});
