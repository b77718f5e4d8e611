/**
 * /joint: check a set of community units as one joint community, and suggest joint communities
 * for an area (all units, or those of the given sub-districts). JointContext is built on first use.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';
import { findingJson } from '../joint.ts';
import { apiError } from './errors.ts';
import { errorResponses } from './schemas.ts';

const json = (description: string) => ({ content: { 'application/json': { schema: z.any() } }, description });
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

export function jointRoutes(city: CityContext) {
  const { stored } = city;
  const ctx = () => city.joint;
  const unitOf = (u: number) => ({ id: stored.units[u].id, name: stored.units[u].name });
  const cellOf = (c: number) => ({ h3: stored.cells.h3[c], lon: stored.cells.lon[c], lat: stored.cells.lat[c] });
  const group = (members: number[], sameBoundary: boolean) => {
    const check = ctx().check(members, { sameBoundary });
    const elderly = members.reduce((a, u) => a + stored.units[u].elderly, 0);
    // the suggested workstation: of the sites that serve everyone, the one nearest the residents' centre
    let site = null;
    if (check.sites.length) {
      let x = 0;
      let y = 0;
      for (const u of members) for (const c of stored.units[u].cells) ((x += stored.cells.lon[c] * stored.cells.residents[c]), (y += stored.cells.lat[c] * stored.cells.residents[c]));
      const r = Math.max(1, check.residents);
      site = cellOf(check.sites.reduce((b, c) => ((stored.cells.lon[c] - x / r) ** 2 + (stored.cells.lat[c] - y / r) ** 2 < (stored.cells.lon[b] - x / r) ** 2 + (stored.cells.lat[b] - y / r) ** 2 ? c : b)));
    }
    return { units: members.map(unitOf), residents: check.residents, elderly, contiguous: check.contiguous, site, pass: check.findings.length === 0, findings: check.findings.map((f) => findingJson(stored, f)) };
  };
  const unitIds = z.array(z.string().min(1)).min(1);
  const resolve = (ids: string[], param: string) => {
    const seen = new Set<string>();
    return ids.map((id, i) => {
      if (seen.has(id)) throw apiError(400, `${param}.${i}: "${id}" is listed twice`, `${param}.${i}`);
      seen.add(id);
      const u = ctx().unitIndex.get(id);
      if (u === undefined) throw apiError(404, `${param}.${i}: no community unit "${id}"`, `${param}.${i}`);
      return u;
    });
  };

  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'post', path: '/joint/check', summary: 'Check units as one joint community against the joint-community rule',
      request: body(z.strictObject({ units: unitIds, sameBoundary: z.boolean().default(false) })),
      responses: { 200: json('The check, findings naming the units or cells at fault'), ...errorResponses, 404: json('Unknown unit') },
    }),
    (c) => {
      const { units, sameBoundary } = c.req.valid('json');
      return c.json({ rule: ctx().rule, ...group(resolve(units, 'units'), sameBoundary) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/joint/suggest', summary: 'Suggest joint communities for an area: groups of units satisfying every rule, as few as possible; reproducible with a seed',
      request: body(z.strictObject({
        communities: z.array(z.string()).min(1).optional().openapi({ description: 'sub-district (boundary) ids; all units when absent' }),
        seed: z.number().int().default(1),
        restarts: z.number().int().min(1).max(100).default(8),
        sameBoundary: z.boolean().default(false),
      })),
      responses: { 200: json('Proposed joint communities and the units left out with the reason'), ...errorResponses, 404: json('Unknown community') },
    }),
    (c) => {
      const { communities, seed, restarts, sameBoundary } = c.req.valid('json');
      let area = [...stored.units.keys()];
      if (communities) {
        const wanted = new Set(communities.map((id, i) => {
          const k = stored.communities.findIndex((m) => m.id === id);
          if (k < 0) throw apiError(404, `communities.${i}: no community "${id}"`, `communities.${i}`);
          return k;
        }));
        area = area.filter((u) => wanted.has(stored.units[u].community));
      }
      const s = ctx().suggest(area, { seed, restarts, sameBoundary });
      return c.json({
        rule: ctx().rule, seed, restarts,
        method: 'region growing from seeded random seeds (max-p construction, Duque, Anselin & Rey 2012, turned to fewest groups under a cap), best of the restarts',
        groups: s.groups.map((g) => group(g, sameBoundary)),
        unplaced: s.unplaced.map((u) => ({ unit: unitOf(u.unit), reason: u.reason })),
      }, 200);
    },
  );
  return app;
}
