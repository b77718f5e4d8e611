/**
 * lifecircle server: opens the city database (building the bundled Harbin sample first if the
 * file holds no city yet), then serves the web app and the JSON API.
 *
 *   npx tsx server/main.ts [--db FILE] [--host 127.0.0.1] [--port 8080] [--style-url URL]
 *        [--cors-origin URL]... [--max-body BYTES] [--max-upload BYTES] [--max-features N]
 *
 * Environment: LIFECIRCLE_DB, HOST, PORT, LIFECIRCLE_STYLE_URL, LIFECIRCLE_CORS_ORIGINS (comma-separated),
 * LIFECIRCLE_MAX_BODY, LIFECIRCLE_MAX_UPLOAD, LIFECIRCLE_MAX_FEATURES.
 *
 * Every change needs a token (server/auth.ts). The first start makes one and prints it once on stderr;
 * `npm run tokens` lists, makes and revokes them.
 */
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { HARBIN_DB, HARBIN_PBF, WEB_ROOT } from './config.ts';
import { openDb } from './db/connection.ts';
import { cityStatus, readCity } from './db/read.ts';
import { readBasemap } from './db/basemap.ts';
import { BasemapTiles } from './core/tiles.ts';
import { tilesRoutes } from './routes/tiles.ts';
import { writeCity } from './db/city.ts';
import { buildCity, defaultOptions, type BuildOptions } from './pipeline.ts';
import { CityContext } from './context.ts';
import { createApp } from './app.ts';
import { Scenarios } from './scenarios.ts';
import { Publisher } from './publish/publisher.ts';
import { Tokens } from './auth.ts';

const { values: v } = parseArgs({
  options: {
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'style-url': { type: 'string' },
    'cors-origin': { type: 'string', multiple: true },
    'max-body': { type: 'string' },
    'max-upload': { type: 'string' },
    'max-features': { type: 'string' },
  },
});
const dbPath = v.db ?? process.env.LIFECIRCLE_DB ?? HARBIN_DB;
const host = v.host ?? process.env.HOST ?? '127.0.0.1';
const port = Number(v.port ?? process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: field "port": must be a port number, got "${v.port ?? process.env.PORT}"`);
  process.exit(2);
}
/** A whole-number option (flag, else environment, else default) of at least `min`; exit 2 naming it otherwise. */
function count(flag: 'max-body' | 'max-upload' | 'max-features', env: string, fallback: number, min: number): number {
  const given = v[flag] ?? process.env[env];
  const n = Number(given ?? fallback);
  if (!Number.isInteger(n) || n < min) {
    console.error(`error: field "${flag}": must be a whole number, at least ${min}, got "${given}"`);
    process.exit(2);
  }
  return n;
}
const maxBodyBytes = count('max-body', 'LIFECIRCLE_MAX_BODY', 1024 * 1024, 1024);
const maxUploadBytes = count('max-upload', 'LIFECIRCLE_MAX_UPLOAD', 20 * 1024 * 1024, 1024);
const maxUploadFeatures = count('max-features', 'LIFECIRCLE_MAX_FEATURES', 20_000, 1);
const corsOrigins = v['cors-origin'] ?? (process.env.LIFECIRCLE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
for (const o of corsOrigins) {
  if (!/^https?:\/\/[^/\s]+$/.test(o)) {
    console.error(`error: field "cors-origin": must be an origin like https://plan.example.org (scheme and host, no path), got "${o}"`);
    process.exit(2);
  }
}
const log = (stage: string, message: string) => console.error(`[${stage}] ${message}`);

const db = await openDb(dbPath);
const found = await cityStatus(db.conn);
if (found.status === 'none') {
  log('build', `${dbPath} holds no city yet: building the bundled Harbin sample`);
  await writeCity(db.conn, buildCity(defaultOptions(HARBIN_PBF), log));
} else if (found.status === 'stale') {
  // derived data only: rebuild it from the inputs and options it was built with
  log('build', `${dbPath} was built by another version of lifecircle: rebuilding it with the same options`);
  // options added since that build take their defaults
  const stored = JSON.parse(found.optionsJson!, (_k, v) => (v === 'Infinity' ? Infinity : v)) as Partial<BuildOptions>;
  const options: BuildOptions = { ...defaultOptions(stored.pbf ?? HARBIN_PBF, stored.profileFile), ...stored };
  await writeCity(db.conn, buildCity(options, log));
}
const t = performance.now();
const city = new CityContext(await readCity(db.conn));
log('load', `${city.stored.cells.h3.length} cells, ${city.stored.facilities.length} facilities, ${city.stored.communities.length} communities (${Math.round(performance.now() - t)} ms)`);

const basemap = await readBasemap(db.conn);
const tiles = new BasemapTiles(basemap);
const styleUrl = v['style-url'] ?? process.env.LIFECIRCLE_STYLE_URL;
const scenarios = await Scenarios.open(city, db.conn);
const publisher = await Publisher.open(city, await db.instance.connect(), scenarios, { features: basemap, tiles }, (step, ms) => log('publish', `${step} ${Math.round(ms)} ms`));
const tokens = await Tokens.open(await db.instance.connect());
if (!(await tokens.any())) {
  const first = await tokens.create('first start');
  // shown once: only its hash is stored
  console.error(`lifecircle: token for changes (shown once, keep it; npm run tokens -- list | create | revoke): ${first.token}`);
}
const app = createApp(city, { webRoot: WEB_ROOT, styleUrl, scenarios, publisher, tokens, corsOrigins, maxBodyBytes, maxUploadBytes, maxUploadFeatures, extraRoutes: [tilesRoutes(tiles, { styleUrl })] });
const server = serve({ fetch: app.fetch, hostname: host, port }, (info) => {
  console.error(`lifecircle: http://${host}:${info.port}/  (API: /api/openapi.json)`);
});
const stop = () => {
  server.close();
  db.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
