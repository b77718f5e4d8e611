/**
 * POST /scenarios/{id}/import: a facility list (GeoJSON or CSV, as the build reads them) added to a
 * scenario as ONE edit — validated whole before anything changes, stored in one row, undone and
 * redone whole — so an import that fails, or a server killed in the middle of one, leaves none of it.
 * The upload has its own size limit (app.ts) and a limit on the number of features.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { InputError } from '../errors.ts';
import { readFacilitiesCSV } from '../ingest/csv.ts';
import { readFacilitiesGeoJSON } from '../ingest/geojson.ts';
import type { Scenarios } from '../scenarios.ts';
import { apiError, guard } from './errors.ts';
import { ErrorSchema, errorResponses } from './schemas.ts';

const Field = z.string().min(1).max(100);
const Query = z.object({
  file: z.string().regex(/^[\w.\- \u4e00-\u9fff]{1,100}$/, { message: 'a plain file name (letters, digits, . - _ space), no paths' }).default('upload'),
  category: z.string().max(100).optional().openapi({ description: 'one category for every facility, or give categoryField' }),
  categoryField: Field.optional(),
  nameField: Field.optional(),
  capacityField: Field.optional(),
  lonField: Field.optional().openapi({ description: 'CSV: the longitude column (default lon)' }),
  latField: Field.optional().openapi({ description: 'CSV: the latitude column (default lat)' }),
  crs: z.enum(['wgs84', 'gcj02', 'bd09']).default('wgs84'),
  baseVersion: z.coerce.number().int().min(0).optional(),
});

export function importRoutes(scenarios: Scenarios, limits: { maxFeatures: number }) {
  const categories = { source: 'this city', categories: scenarios.city.stored.categories.map((c) => ({ ...c, match: [], capacityTags: [] })) };
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'post', path: '/scenarios/{id}/import', summary: 'Add a facility list (GeoJSON or CSV body) to a scenario as one edit',
      request: {
        params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: 'not a scenario id' }) }),
        query: Query,
        body: { required: true, content: { 'application/geo+json': { schema: z.any() }, 'text/csv': { schema: z.string() } } },
      },
      responses: {
        200: { content: { 'application/json': { schema: z.any() } }, description: 'The scenario, the delta and the stations added' },
        ...errorResponses,
        404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such scenario' },
        409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Stale version' },
        413: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Too large, or too many features' },
        415: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Neither GeoJSON nor CSV' },
        422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'A facility with no street near it' },
      },
    }),
    (c) =>
      guard(async () => {
        const q = c.req.valid('query');
        const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
        const csv = type === 'text/csv';
        if (!csv && type !== 'application/geo+json' && type !== 'application/json') {
          throw apiError(415, `body: send the list as text/csv or application/geo+json, not "${type || 'no content type'}"`, 'body');
        }
        const bytes = new Uint8Array(await c.req.arrayBuffer());
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          throw apiError(400, `${q.file}: the file is not UTF-8 text`, 'body');
        }
        const options = { file: q.file, category: q.category, categoryField: q.categoryField, nameField: q.nameField, capacityField: q.capacityField, crs: q.crs, categories };
        let facilities;
        try {
          // a CSV names its name column; a GeoJSON feature's `name` is read unless told otherwise
          facilities = csv ? readFacilitiesCSV(text, { ...options, lonField: q.lonField, latField: q.latField }) : readFacilitiesGeoJSON(text, { ...options, nameField: q.nameField ?? 'name' });
        } catch (err) {
          if (err instanceof InputError) throw apiError(400, err.message, err.field ?? 'body');
          // JSON nested past the parser's stack is bad input too, not a fault of ours
          if (err instanceof RangeError) throw apiError(400, `${q.file}: the file is nested too deeply to read`, 'body');
          throw err;
        }
        if (facilities.length === 0) throw apiError(400, `${q.file}: the file holds no facility`, 'body');
        if (facilities.length > limits.maxFeatures) throw apiError(413, `${q.file}: ${facilities.length} facilities, more than the ${limits.maxFeatures} one import may add`, 'body');
        const stations = facilities.map((f, i) => ({ category: f.category, lon: f.lon, lat: f.lat, name: f.name || `${q.file} #${i + 1}`, capacity: f.capacity }));
        const out = await scenarios.edit(c.req.valid('param').id, { op: 'import', source: q.file, stations }, q.baseVersion);
        // the edit went in at seq = head - 1: its stations are new-<head>-<n>
        return c.json({ scenario: out.scenario, imported: stations.length, stations: stations.map((_, i) => `new-${out.scenario.head}-${i + 1}`) }, 200);
      }),
  );
  return app;
}
