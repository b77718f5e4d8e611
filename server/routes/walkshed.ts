/** GET /walkshed: the walkshed of any point, computed on demand. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';
import { apiError } from './errors.ts';
import { ErrorSchema, SpeedSchema, errorResponses, round } from './schemas.ts';

export function walkshedRoutes(city: CityContext) {
  const [w, s, e, n] = city.bbox;
  const route = createRoute({
    method: 'get',
    path: '/walkshed',
    summary: 'Walkshed of any point: snapped to the nearest street, walked for `minutes` at the speed',
    request: {
      query: z.object({
        lon: z.coerce.number().min(w, { message: `must lie in the city, ${w.toFixed(4)}–${e.toFixed(4)}` }).max(e, { message: `must lie in the city, ${w.toFixed(4)}–${e.toFixed(4)}` }),
        lat: z.coerce.number().min(s, { message: `must lie in the city, ${s.toFixed(4)}–${n.toFixed(4)}` }).max(n, { message: `must lie in the city, ${s.toFixed(4)}–${n.toFixed(4)}` }),
        speed: SpeedSchema.default('elderly'),
        minutes: z.coerce.number().min(1).max(30).default(15),
      }),
    },
    responses: {
      200: { content: { 'application/json': { schema: z.any() } }, description: 'The walkshed' },
      ...errorResponses,
      422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No street near the point' },
    },
  });
  return new OpenAPIHono().openapi(route, (c) => {
    const { lon, lat, speed, minutes } = c.req.valid('query');
    const shed = city.walkFrom(lon, lat, minutes * city.speeds[speed]);
    if (!shed) throw apiError(422, `query parameters "lon", "lat": no street within ${city.maxSnapM} m of the point`, 'lon');
    const h3 = Array.from(shed.cells, (k) => city.stored.cells.h3[k]);
    return c.json({
      origin: { lon, lat },
      snapped: { lon: shed.snapped.lon, lat: shed.snapped.lat, distM: round(shed.snapped.distM, 1) },
      speed,
      minutes,
      h3,
      distM: Array.from(shed.dist, (d) => round(d, 1)),
      minutesTo: Array.from(shed.dist, (d) => round(d / city.speeds[speed], 2)),
    }, 200);
  });
}
