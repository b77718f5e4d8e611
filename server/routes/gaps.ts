/** GET /gaps: gap clusters for one category × tier × speed × weighting, with their outlines. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { cellsToMultiPolygon } from 'h3-js';
import type { CityContext } from '../context.ts';
import { z } from '@hono/zod-openapi';
import { FeatureCollectionSchema, errorResponses, selectionSchema } from './schemas.ts';

export function gapRoutes(city: CityContext) {
  const { stored } = city;
  const route = createRoute({
    method: 'get',
    path: '/gaps',
    summary: 'Gap clusters (GeoJSON outlines), largest elderly first',
    request: {
      query: selectionSchema(city).extend({
        weight: z.enum(['residents', 'elderly']).default('elderly').openapi({ description: 'whose gap: cells with residents or with elderly residents' }),
      }),
    },
    responses: { 200: { content: { 'application/json': { schema: FeatureCollectionSchema } }, description: 'Gap clusters' }, ...errorResponses },
  });
  // Outlines cost a few ms a cluster; each selection is answered once and kept.
  const cache = new Map<string, string>();
  return new OpenAPIHono().openapi(route, (c) => {
    const { category, tier, speed, weight } = c.req.valid('query');
    const key = `${category}/${tier}/${speed}/${weight}`;
    let text = cache.get(key);
    if (!text) {
      const features = stored.gaps
        .filter((g) => g.category === category && g.tierMin === tier && g.speed === speed && g.weight === weight)
        .map((g) => ({
          type: 'Feature' as const,
          id: g.id,
          geometry: { type: 'MultiPolygon' as const, coordinates: cellsToMultiPolygon(g.cells.map((k) => stored.cells.h3[k]), true) },
          properties: { clusterId: g.id, cells: g.cellCount, residents: g.residents, elderly: g.elderly, lon: g.lon, lat: g.lat },
        }));
      text = JSON.stringify({ type: 'FeatureCollection', features });
      cache.set(key, text);
    }
    c.header('Content-Type', 'application/json');
    return c.body(text, 200) as never;
  });
}
