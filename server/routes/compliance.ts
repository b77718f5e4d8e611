/**
 * GET /compliance: every community's tier and findings against the standards profile, and every
 * grid's size findings, each finding with its rule's source.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';

export function complianceRoutes(city: CityContext) {
  const { stored } = city;
  const route = createRoute({
    method: 'get',
    path: '/compliance',
    summary: "Each community's life-circle tier and its findings against the standards profile, and each grid's size findings; every finding with its rule's source",
    responses: { 200: { content: { 'application/json': { schema: z.any() } }, description: 'Compliance per community and per grid' } },
  });
  const body = {
    profile: stored.meta.profile ?? null,
    communities: stored.compliance.map((c) => ({
      id: stored.communities[c.community].id,
      name: stored.communities[c.community].name,
      population: c.population,
      tier: { position: c.position, minutes: c.tierMin, governingMinutes: c.governingTierMin },
      pass: c.findings.every((f) => f.pass),
      findings: c.findings,
    })),
    // a grid passes when it breaks no rule; households null = not given, checked on residents only
    grids: stored.grids.map((g) => ({
      id: g.id, name: g.name, households: g.households, residents: g.residents, residentsSource: g.residentsSource,
      pass: g.findings.length === 0, findings: g.findings,
    })),
  };
  return new OpenAPIHono().openapi(route, (c) => c.json(body, 200));
}
