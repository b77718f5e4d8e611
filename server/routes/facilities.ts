/** GET /facilities and GET /facilities/{id}/walkshed. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';
import { apiError } from './errors.ts';
import { ErrorSchema, FeatureCollectionSchema, SpeedSchema, categorySchema, errorResponses, round } from './schemas.ts';

export function facilityRoutes(city: CityContext) {
  const { stored } = city;
  const list = createRoute({
    method: 'get',
    path: '/facilities',
    summary: 'Facilities as GeoJSON points, all or of one category',
    request: { query: z.object({ category: categorySchema(city).optional() }) },
    responses: { 200: { content: { 'application/json': { schema: FeatureCollectionSchema } }, description: 'Facilities' }, ...errorResponses },
  });
  const walkshed = createRoute({
    method: 'get',
    path: '/facilities/{id}/walkshed',
    summary: 'The cells a facility reaches within the longest tier, with metres and minutes',
    request: {
      params: z.object({ id: z.string().min(1).max(200).openapi({ example: 'osm:w900570395' }) }),
      query: z.object({ speed: SpeedSchema.default('elderly') }),
    },
    responses: {
      200: { content: { 'application/json': { schema: z.any() } }, description: 'The walkshed' },
      ...errorResponses,
      404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such facility' },
    },
  });

  return new OpenAPIHono()
    .openapi(list, (c) => {
      const { category } = c.req.valid('query');
      const features = stored.facilities.flatMap((f, i) =>
        category && f.category !== category
          ? []
          : [{
              type: 'Feature' as const,
              id: i,
              geometry: { type: 'Point' as const, coordinates: [f.lon, f.lat] },
              properties: { id: f.id, name: f.name, category: f.category, capacity: f.capacity, reachable: f.reachable, snapDistM: round(f.snapDistM, 1) },
            }],
      );
      return c.json({ type: 'FeatureCollection' as const, features }, 200);
    })
    .openapi(walkshed, (c) => {
      const { id } = c.req.valid('param');
      const { speed } = c.req.valid('query');
      const f = city.facilityIndex.get(id);
      if (f === undefined) throw apiError(404, `path parameter "id": no facility "${id}"`, 'id');
      const facility = stored.facilities[f];
      const maxMin = Math.max(...city.tiers);
      const reach = maxMin * city.speeds[speed];
      const { offsets, cell, dist } = stored.walksheds;
      const h3: string[] = [];
      const distM: number[] = [];
      const minutes: number[] = [];
      for (let k = offsets[f]; k < offsets[f + 1]; k++) {
        if (dist[k] > reach) continue;
        h3.push(stored.cells.h3[cell[k]]);
        distM.push(round(dist[k], 1));
        minutes.push(round(dist[k] / city.speeds[speed], 2));
      }
      return c.json({ facility: { id: facility.id, name: facility.name, category: facility.category, lon: facility.lon, lat: facility.lat }, speed, maxMin, h3, distM, minutes }, 200);
    });
}
