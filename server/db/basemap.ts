/**
 * The basemap table: one row per feature, GeoJSON text, written by the city build and read once when the server
 * starts (core/tiles.ts cuts its tiles from memory, not from here).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Geometry } from 'geojson';
import { BASEMAP_LAYERS, emptyBasemap, type Basemap, type BasemapLayer } from '../core/tiles.ts';
import { appendColumns } from './append.ts';

/**
 * Replace the stored basemap. It runs no transaction of its own: call it inside the city build's, so a failed
 * build leaves the previous basemap with the previous city.
 */
export async function writeBasemap(conn: DuckDBConnection, basemap: Basemap): Promise<void> {
  await conn.run('CREATE OR REPLACE TABLE basemap (layer VARCHAR, props VARCHAR, geojson VARCHAR)');
  const layer: string[] = [];
  const props: string[] = [];
  const geojson: string[] = [];
  for (const name of BASEMAP_LAYERS) {
    for (const f of basemap[name].features) {
      layer.push(name);
      props.push(JSON.stringify(f.properties ?? {}));
      geojson.push(JSON.stringify(f.geometry));
    }
  }
  await appendColumns(conn, 'basemap', layer.length, [
    { type: 'VARCHAR', values: layer },
    { type: 'VARCHAR', values: props },
    { type: 'VARCHAR', values: geojson },
  ]);
}

/**
 * The stored basemap, features in the order written (it is the drawing order within a layer).
 * @throws Error naming the fix when the database was built before basemaps were stored.
 */
export async function readBasemap(conn: DuckDBConnection): Promise<Basemap> {
  const exists = await conn.runAndReadAll("SELECT 1 FROM information_schema.tables WHERE table_name = 'basemap'");
  if (exists.currentRowCount === 0) throw new Error('the database has no basemap table: rebuild the city (npm run build:db)');
  const reader = await conn.runAndReadAll('SELECT layer, props, geojson FROM basemap ORDER BY rowid');
  const [layer, props, geojson] = reader.getColumnsJS() as string[][];
  const basemap = emptyBasemap();
  for (let i = 0; i < reader.currentRowCount; i++) {
    const fc = basemap[layer[i] as BasemapLayer];
    if (!fc) throw new Error(`basemap table: unknown layer "${layer[i]}"`);
    fc.features.push({ type: 'Feature', properties: JSON.parse(props[i]), geometry: JSON.parse(geojson[i]) as Geometry });
  }
  return basemap;
}
