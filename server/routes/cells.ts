/** GET /cells (every cell, column-wise) and GET /cells/{h3} (one cell in full). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { isValidCell } from 'h3-js';
import type { CityContext } from '../context.ts';
import { gzipped } from '../gzip.ts';
import { apiError } from './errors.ts';
import { sendStatic } from './static.ts';
import { ErrorSchema, errorResponses, round } from './schemas.ts';

export function cellRoutes(city: CityContext) {
  const { stored } = city;
  const all = createRoute({
    method: 'get',
    path: '/cells',
    summary: 'Every demand cell, column-wise: H3 ids, residents, elderly, metres to the nearest facility per category',
    responses: { 200: { content: { 'application/json': { schema: z.any() } }, description: 'Cells' } },
  });
  const one = createRoute({
    method: 'get',
    path: '/cells/{h3}',
    summary: 'One cell: demand, communities, nearest facility per category at both speeds',
    request: { params: z.object({ h3: z.string().max(20).openapi({ example: stored.cells.h3[0] }) }) },
    responses: {
      200: { content: { 'application/json': { schema: z.any() } }, description: 'The cell' },
      ...errorResponses,
      404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Not a cell of this city' },
    },
  });

  // The column-wise body never changes while the server runs: build it once.
  const distM: Record<string, Array<number | null>> = {};
  for (const cat of stored.categories) {
    const d = stored.nearest.get(cat.id)!.dist;
    distM[cat.id] = Array.from(d, (x) => (Number.isFinite(x) ? Math.round(x) : null));
  }
  const body = {
    resolution: city.resolution,
    h3: stored.cells.h3,
    residents: Array.from(stored.cells.residents),
    elderly: Array.from(stored.cells.elderly),
    distM,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  let gz: Promise<Uint8Array> | null = null;

  return new OpenAPIHono()
    .openapi(all, (c) => sendStatic(c, bytes, () => (gz ??= gzipped(bytes)), { 'Content-Type': 'application/json' }) as never)
    .openapi(one, (c) => {
      const { h3 } = c.req.valid('param');
      if (!isValidCell(h3)) throw apiError(400, `path parameter "h3": "${h3}" is not an H3 cell id`, 'h3');
      const i = city.cellIndex.get(h3);
      if (i === undefined) throw apiError(404, `path parameter "h3": cell ${h3} is not in this city's grid (resolution ${city.resolution})`, 'h3');
      const { cells, shares } = stored;
      const communities: Array<{ id: string; name: string; residents: number; elderly: number }> = [];
      for (let s = 0; s < shares.cell.length; s++) {
        if (shares.cell[s] !== i) continue;
        const m = stored.communities[shares.community[s]];
        communities.push({ id: m.id, name: m.name, residents: shares.residents[s], elderly: shares.elderly[s] });
      }
      const nearest = stored.categories.map((cat) => {
        const n = stored.nearest.get(cat.id)!;
        const d = n.dist[i];
        const f = n.facility[i];
        const reached = Number.isFinite(d);
        return {
          category: cat.id,
          facility: f >= 0 ? { id: stored.facilities[f].id, name: stored.facilities[f].name } : null,
          distM: reached ? round(d, 1) : null,
          minGeneral: reached ? round(d / city.speeds.general, 2) : null,
          minElderly: reached ? round(d / city.speeds.elderly, 2) : null,
        };
      });
      return c.json({
        h3, lon: cells.lon[i], lat: cells.lat[i], residents: cells.residents[i], elderly: cells.elderly[i],
        reachable: cells.edge[i] >= 0, snapDistM: round(cells.access[i], 1), communities, nearest,
      }, 200);
    });
}
