/**
 * Land use at points (cell centres) from the city's basemap areas: `water` inside a water area,
 * `green` inside a park, garden, pitch, grass or wood (basemap `green`), else null. Siting uses it
 * to leave candidate sites in lakes and parks out.
 */
import type { FeatureCollection } from 'geojson';
import { firstContaining } from './polygon.ts';
import type { MultiPolygonCoords } from './types.ts';

export type Landuse = 'water' | 'green' | null;
export const LANDUSES = ['water', 'green'] as const;

function areas(fc: FeatureCollection): MultiPolygonCoords[] {
  const out: MultiPolygonCoords[] = [];
  for (const f of fc.features) {
    if (f.geometry.type === 'Polygon') out.push([f.geometry.coordinates]);
    else if (f.geometry.type === 'MultiPolygon') out.push(f.geometry.coordinates);
  }
  return out;
}

export function landuseAt(basemap: { water: FeatureCollection; green: FeatureCollection }, lon: ArrayLike<number>, lat: ArrayLike<number>): Landuse[] {
  const water = firstContaining(areas(basemap.water), lon, lat).owner;
  const green = firstContaining(areas(basemap.green), lon, lat).owner;
  return Array.from({ length: lon.length }, (_, i) => (water[i] >= 0 ? 'water' : green[i] >= 0 ? 'green' : null));
}
