/**
 * /published: publish a view of the baseline or a scenario as an immutable snapshot, list and
 * unpublish them, read one, list its files and download its folder as a zip (reading is open to
 * everyone: no account, no token). The folder itself is served under /p/<name>/ (publishedPages).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';
import { Hono } from 'hono';
import { zipFolder } from '../publish/bundle.ts';
import { SNAPSHOT_NAME, type Publisher } from '../publish/publisher.ts';
import { EditError } from '../scenario.ts';
import { apiError, guard } from './errors.ts';
import { sendStatic } from './static.ts';
import { ErrorSchema, SpeedSchema, errorResponses, plainText } from './schemas.ts';

const json = (description: string) => ({ content: { 'application/json': { schema: z.any() } }, description });
const NameSchema = z.string().regex(SNAPSHOT_NAME, { message: 'must be 1–63 lowercase letters, digits or hyphens, starting with a letter or digit (no paths)' });
const errors = { ...errorResponses, 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such map or scenario' } };

export function publishedRoutes(city: CityContext, publisher: Publisher) {
  const categories = city.stored.categories.map((c) => c.id);
  const app = new OpenAPIHono();
  app.openapi(createRoute({ method: 'get', path: '/published', summary: 'Every published map', responses: { 200: json('Published maps') } }), async (c) =>
    c.json({ published: await publisher.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/published', summary: 'Publish a view of the baseline or a scenario as an immutable snapshot',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.strictObject({
                name: NameSchema,
                title: plainText(z.string().trim().min(1, { message: 'must not be empty' }).max(200)),
                description: plainText(z.string().max(5000), { lines: true }).default(''),
                scenario: z.string().regex(/^[a-z0-9-]{1,40}$/).nullable().default(null),
                view: z.strictObject({
                  category: z.string().refine((v) => categories.includes(v), { message: `unknown category; known: ${categories.join(', ')}` }),
                  tier: z.number().refine((v) => city.tiers.includes(v), { message: `must be one of ${city.tiers.join(', ')}` }),
                  speed: SpeedSchema,
                }),
              }),
            },
          },
        },
      },
      responses: { 201: json('The published map'), ...errors, 409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'The name is taken' } },
    }),
    (c) =>
      guard(async () => {
        try {
          return c.json(await publisher.publish(c.req.valid('json')), 201);
        } catch (err) {
          // the scenarios answer for their own path parameter; here the scenario is the body's field
          if (err instanceof EditError && err.param === 'id') throw new EditError(err.status, `scenario: ${err.message}`, 'scenario');
          throw err;
        }
      }),
  );
  const NameParam = z.object({ name: NameSchema });
  app.openapi(
    createRoute({ method: 'get', path: '/published/{name}', summary: 'One published map with all its data', request: { params: NameParam }, responses: { 200: json('The snapshot'), ...errors } }),
    async (c) => {
      const data = await publisher.data(c.req.valid('param').name);
      if (data === null) throw apiError(404, `name: no published map "${c.req.valid('param').name}"`, 'name');
      return c.body(data, 200, { 'Content-Type': 'application/json; charset=utf-8' }) as never;
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/published/{name}/files', summary: "The files of a published map's folder (served under /p/{name}/)", request: { params: NameParam }, responses: { 200: json('Paths and sizes'), ...errors } }),
    async (c) => {
      const { name } = c.req.valid('param');
      const files = await publisher.files(name);
      if (!files.length) throw apiError(404, `name: no published map "${name}"`, 'name');
      return c.json({ name, base: `/p/${name}/`, files }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/published/{name}/export.zip', summary: "A published map's folder as one zip: index.html opens offline from the file system", request: { params: NameParam }, responses: { 200: { content: { 'application/zip': { schema: z.any() } }, description: 'The folder' }, ...errors } }),
    async (c) => {
      const { name } = c.req.valid('param');
      const list = await publisher.files(name);
      if (!list.length) throw apiError(404, `name: no published map "${name}"`, 'name');
      const files: Record<string, Uint8Array> = {};
      for (const f of list) files[f.path] = (await publisher.file(name, f.path))!;
      const zip = zipFolder(name, files);
      return c.body(zip as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${name}.zip"` }) as never;
    },
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/published/{name}', summary: 'Unpublish a map', request: { params: NameParam }, responses: { 200: json('Unpublished'), ...errors } }),
    (c) =>
      guard(async () => {
        await publisher.unpublish(c.req.valid('param').name);
        return c.json({ unpublished: c.req.valid('param').name }, 200);
      }),
  );
  return app;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8', geojson: 'application/geo+json; charset=utf-8', csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8', png: 'image/png', pdf: 'application/pdf', parquet: 'application/vnd.apache.parquet',
};
/** A file name inside a published folder: one plain name, no folders, no dots in front. */
const FILE_NAME = /^[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$/;

/**
 * /p/<name>/: a published map's folder, read-only, as it was stored. The page may run only its own
 * scripts and the MapLibre worker it makes from a blob (CSP): even a name that slipped past the
 * escaping could not run as a script.
 */
export function publishedPages(publisher: Publisher) {
  const app = new Hono();
  const notFound = (message: string, param = 'name') => new Response(JSON.stringify({ error: { message, param } }), { status: 404, headers: { 'Content-Type': 'application/json' } });
  const bad = (message: string, param: string) => new Response(JSON.stringify({ error: { message, param } }), { status: 400, headers: { 'Content-Type': 'application/json' } });
  app.get('/:name', (c) => {
    const name = c.req.param('name');
    if (!SNAPSHOT_NAME.test(name)) return bad(`path parameter "name": must be 1–63 lowercase letters, digits or hyphens (no paths)`, 'name');
    return c.redirect(`/p/${name}/`, 301);
  });
  app.get('/:name/:file{.*}', async (c) => {
    const name = c.req.param('name');
    const file = c.req.param('file') || 'index.html';
    if (!SNAPSHOT_NAME.test(name)) return bad(`path parameter "name": must be 1–63 lowercase letters, digits or hyphens (no paths)`, 'name');
    if (!FILE_NAME.test(file)) return bad(`path parameter "file": "${file.slice(0, 80)}" is not a file of a published folder (no paths)`, 'file');
    const served = await publisher.served(name, file);
    if (!served) return (await publisher.files(name)).length ? notFound(`file: no "${file}" in published map "${name}"`, 'file') : notFound(`name: no published map "${name}"`);
    const ext = file.slice(file.lastIndexOf('.') + 1);
    return sendStatic(c, served.bytes, served.gzip, {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'self'; script-src 'self' blob:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
      // immutable: a name is never republished with other content while it exists
      'Cache-Control': 'public, max-age=300',
    });
  });
  return app;
}
