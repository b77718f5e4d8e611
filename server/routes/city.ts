/** GET /city: what the city is, its categories, settings and city-wide coverage. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { SOURCES } from '../config.ts';
import type { CityContext } from '../context.ts';

const route = createRoute({
  method: 'get',
  path: '/city',
  summary: 'City summary, categories, settings and city-wide coverage',
  responses: { 200: { content: { 'application/json': { schema: z.any() } }, description: 'The city' } },
});

export function cityRoutes(city: CityContext, options: { styleUrl?: string } = {}) {
  const { stored } = city;
  const body = {
    name: city.name,
    bbox: city.bbox,
    center: [(city.bbox[0] + city.bbox[2]) / 2, (city.bbox[1] + city.bbox[3]) / 2],
    resolution: city.resolution,
    speeds: city.speeds,
    tiers: city.tiers,
    categories: stored.categories.map((c) => ({ ...c, facilities: stored.facilities.filter((f) => f.category === c.id).length })),
    totals: {
      residents: stored.cells.residents.reduce((a, b) => a + b, 0),
      elderly: stored.cells.elderly.reduce((a, b) => a + b, 0),
      communities: stored.communities.length,
      cells: stored.cells.h3.length,
      facilities: stored.facilities.length,
    },
    coverage: stored.coverage
      .filter((r) => r.community === -1)
      .map(({ community: _c, tierMin, ...r }) => ({ ...r, tier: tierMin })),
    builtAt: stored.meta.built_at,
    sources: SOURCES,
    styleUrl: options.styleUrl ?? null,
    attribution: '© OpenStreetMap contributors',
  };
  return new OpenAPIHono().openapi(route, (c) => c.json(body, 200));
}
