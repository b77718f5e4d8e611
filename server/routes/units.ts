/**
 * GET /units: community units as GeoJSON — the outline of each unit's H3 cells (dissolved by
 * h3-js), with residents, elderly, its boundary, and whether it was derived from a coarse one.
 * Built once, on first request.
 */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { cellsToMultiPolygon } from 'h3-js';
import type { CityContext } from '../context.ts';
import { FeatureCollectionSchema } from './schemas.ts';

export function unitRoutes(city: CityContext) {
  const { stored } = city;
  let body: unknown = null;
  const build = () => ({
    type: 'FeatureCollection' as const,
    features: stored.units.map((u, i) => ({
      type: 'Feature' as const,
      id: i,
      geometry: { type: 'MultiPolygon' as const, coordinates: cellsToMultiPolygon(u.cells.map((c) => stored.cells.h3[c]), true) },
      properties: {
        id: u.id, name: u.name, derived: u.derived, residents: u.residents, elderly: u.elderly, cells: u.cells.length,
        communityId: stored.communities[u.community].id, communityName: stored.communities[u.community].name,
      },
    })),
  });
  const route = createRoute({
    method: 'get',
    path: '/units',
    summary: 'Community units (GeoJSON): units derived from coarse boundaries, or the communities as given, with residents and elderly',
    responses: { 200: { content: { 'application/json': { schema: FeatureCollectionSchema } }, description: 'Units' } },
  });
  return new OpenAPIHono().openapi(route, (c) => c.json((body ??= build()) as { type: 'FeatureCollection'; features: unknown[] }, 200));
}
