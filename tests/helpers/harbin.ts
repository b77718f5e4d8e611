/** Build the real Harbin sample once per test file, into a throwaway DuckDB file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARBIN_PBF } from '../../server/config.ts';
import { buildCity, defaultOptions, type BuildOptions, type City } from '../../server/pipeline.ts';
import { openDb, type Db } from '../../server/db/connection.ts';
import { writeCity } from '../../server/db/city.ts';

export { HARBIN_PBF } from '../../server/config.ts';

export interface Built {
  city: City;
  db: Db;
  dir: string;
  dbPath: string;
  /** Rows of a query as plain JS values (BIGINT → number). */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  dispose(): void;
}

export async function buildHarbin(edit: (o: BuildOptions) => void = () => {}): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), 'lifecircle-test-'));
  const dbPath = join(dir, 'harbin.duckdb');
  const options = defaultOptions(HARBIN_PBF);
  edit(options);
  const city = buildCity(options);
  const db = await openDb(dbPath);
  await writeCity(db.conn, city);
  return {
    city,
    db,
    dir,
    dbPath,
    rows: (sql) => queryRows(db, sql),
    dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function queryRows<T = Record<string, unknown>>(db: Db, sql: string): Promise<T[]> {
  const reader = await db.conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
  ) as T[];
}

/** A seeded generator so sampled tests pick the same cells every run. */
export { seeded } from '../../server/core/random.ts';

/** Harbin built into a throwaway file, loaded as the server loads it, and the HTTP app over it (in process). */
export async function harbinApp(options: { scenarios?: boolean; publisher?: boolean; tokens?: boolean; corsOrigins?: string[]; maxBodyBytes?: number; maxUploadBytes?: number; maxUploadFeatures?: number } = {}) {
  const { CityContext } = await import('../../server/context.ts');
  const { readCity } = await import('../../server/db/read.ts');
  const { createApp } = await import('../../server/app.ts');
  const { Scenarios } = await import('../../server/scenarios.ts');
  const h = await buildHarbin();
  const city = new CityContext(await readCity(h.db.conn));
  const { Publisher } = await import('../../server/publish/publisher.ts');
  const { readBasemap } = await import('../../server/db/basemap.ts');
  const { BasemapTiles } = await import('../../server/core/tiles.ts');
  const scenarios = options.scenarios || options.publisher ? await Scenarios.open(city, h.db.conn) : undefined;
  const basemap = options.publisher ? await readBasemap(h.db.conn) : null;
  const publisher = basemap ? await Publisher.open(city, await h.db.instance.connect(), scenarios ?? null, { features: basemap, tiles: new BasemapTiles(basemap) }) : undefined;
  const { Tokens } = await import('../../server/auth.ts');
  const tokens = options.tokens ? await Tokens.open(await h.db.instance.connect()) : undefined;
  const { corsOrigins, maxBodyBytes, maxUploadBytes, maxUploadFeatures } = options;
  const app = createApp(city, { scenarios, publisher, tokens, corsOrigins, maxBodyBytes, maxUploadBytes, maxUploadFeatures });
  return { h, city, app, tokens };
}
