/** GET /communities: boundaries with their coverage for one category × tier × speed. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { flatten, interiorPoint } from '../core/polygon.ts';
import type { CityContext } from '../context.ts';
import { FeatureCollectionSchema, errorResponses, selectionSchema } from './schemas.ts';

const pct = (a: number, b: number) => (b > 0 ? Math.round((1000 * a) / b) / 10 : null);

export function communityRoutes(city: CityContext) {
  const { stored } = city;
  const labels = stored.communities.map((c) => interiorPoint(flatten(c.polygon)));
  const route = createRoute({
    method: 'get',
    path: '/communities',
    summary: 'Community boundaries (GeoJSON) with coverage figures for the selection',
    request: { query: selectionSchema(city) },
    responses: { 200: { content: { 'application/json': { schema: FeatureCollectionSchema } }, description: 'Communities' }, ...errorResponses },
  });
  return new OpenAPIHono().openapi(route, (c) => {
    const { category, tier, speed } = c.req.valid('query');
    const rows = new Map(
      stored.coverage.filter((r) => r.category === category && r.tierMin === tier && r.speed === speed && r.community >= 0).map((r) => [r.community, r]),
    );
    const features = stored.communities.map((m, i) => {
      const r = rows.get(i);
      return {
        type: 'Feature' as const,
        id: i,
        geometry: { type: 'MultiPolygon' as const, coordinates: m.polygon },
        properties: {
          id: m.id, name: m.name, source: m.source, population: m.population, elderly: m.elderly,
          demandMethod: m.demandMethod, code: m.code, category, tier, speed,
          residentsCovered: r?.residentsCovered ?? 0,
          elderlyCovered: r?.elderlyCovered ?? 0,
          residentsPct: r ? pct(r.residentsCovered, r.residents) : null,
          elderlyPct: r ? pct(r.elderlyCovered, r.elderly) : null,
          medianMin: r?.medianMin ?? null,
          p90Min: r?.p90Min ?? null,
          elderlyMedianMin: r?.elderlyMedianMin ?? null,
          elderlyP90Min: r?.elderlyP90Min ?? null,
          labelLon: labels[i][0],
          labelLat: labels[i][1],
        },
      };
    });
    return c.json({ type: 'FeatureCollection' as const, features }, 200);
  });
}
