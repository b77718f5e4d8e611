/** GET /tiles/basemap/{z}/{x}/{y}.pbf (the city's own vector tiles) and GET /style.json (a MapLibre style using them). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { basemapStyle } from '../../web/src/map/style.ts';
import type { BasemapTiles } from '../core/tiles.ts';
import { apiError } from './errors.ts';
import { errorResponses } from './schemas.ts';

const MAX_ZOOM = 22;
const CACHE_CONTROL = 'public, max-age=3600';

/**
 * The basemap sub-app; mount it under /api. With `styleUrl` (a deployment's tile service), /style.json redirects
 * there instead of describing the city's own tiles.
 */
export function tilesRoutes(tiles: BasemapTiles, options: { styleUrl?: string } = {}) {
  const app = new OpenAPIHono();

  // Hono would read `{y}.pbf` as one parameter named "y.pbf": the handler is a plain route taking "<y>.pbf" as y,
  // and the OpenAPI document gets the path as the API describes it.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/tiles/basemap/{z}/{x}/{y}.pbf',
    summary: "Mapbox Vector Tile of the city's own basemap: layers water, green, buildings, roads, boundaries",
    request: {
      params: z.object({
        z: z.string().openapi({ description: `zoom, 0–${MAX_ZOOM} (features are cut down to 16; deeper tiles are empty)`, example: '14' }),
        x: z.string().openapi({ description: 'tile column, 0 to 2^z − 1', example: '13955' }),
        y: z.string().openapi({ description: 'tile row, 0 to 2^z − 1', example: '5845' }),
      }),
    },
    responses: {
      200: { content: { 'application/x-protobuf': { schema: z.string().openapi({ format: 'binary' }) } }, description: 'The tile' },
      204: { description: 'No basemap feature in this tile' },
      ...errorResponses,
    },
  });
  app.get('/tiles/basemap/:z/:x/:y', (c) => {
    const zoom = tileNumber(c.req.param('z'), 'z', MAX_ZOOM, 'a zoom');
    const max = 2 ** zoom - 1;
    const x = tileNumber(c.req.param('x'), 'x', max, `a tile column at zoom ${zoom}`);
    const file = c.req.param('y');
    if (!file.endsWith('.pbf')) throw apiError(400, `path parameter "y": "${file}" must be a tile row followed by .pbf`, 'y');
    const y = tileNumber(file.slice(0, -4), 'y', max, `a tile row at zoom ${zoom}`);
    const bytes = tiles.tile(zoom, x, y);
    c.header('Cache-Control', CACHE_CONTROL);
    if (!bytes) return c.body(null, 204);
    return c.body(bytes, 200, { 'Content-Type': 'application/x-protobuf' });
  });

  const style = createRoute({
    method: 'get',
    path: '/style.json',
    summary: "MapLibre style of the city's own basemap (a redirect to the configured style URL when one is set)",
    responses: {
      200: { content: { 'application/json': { schema: z.any() } }, description: 'The style' },
      302: { description: 'The deployment has its own style URL' },
    },
  });
  return app.openapi(style, (c) => {
    if (options.styleUrl) return c.redirect(options.styleUrl, 302);
    // Tile URLs must be absolute (MapLibre fetches them from its worker); built from this request, so they follow
    // wherever the app is mounted.
    const base = new URL(c.req.url).origin + c.req.path.slice(0, -'style.json'.length);
    return c.json(basemapStyle(`${base}tiles/basemap/{z}/{x}/{y}.pbf`, { bounds: tiles.bbox ?? undefined }), 200);
  });
}

/** A path parameter as a whole number from 0 to `max`, else a 400 naming it. */
function tileNumber(text: string, param: string, max: number, what: string): number {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n <= max)) throw apiError(400, `path parameter "${param}": "${text}" is not ${what} (a whole number from 0 to ${max})`, param);
  return n;
}
