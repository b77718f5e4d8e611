/**
 * /published: publish a view of the baseline or a scenario as an immutable snapshot, list and
 * unpublish them, and read one (open to everyone: no account, no token).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';
import { SNAPSHOT_NAME, type Publisher } from '../publish.ts';
import { apiError, guard } from './errors.ts';
import { ErrorSchema, SpeedSchema, errorResponses } from './schemas.ts';

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
                title: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
                description: z.string().max(5000).default(''),
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
    (c) => guard(async () => c.json(await publisher.publish(c.req.valid('json')), 201)),
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
    createRoute({ method: 'delete', path: '/published/{name}', summary: 'Unpublish a map', request: { params: NameParam }, responses: { 200: json('Unpublished'), ...errors } }),
    (c) =>
      guard(async () => {
        await publisher.unpublish(c.req.valid('param').name);
        return c.json({ unpublished: c.req.valid('param').name }, 200);
      }),
  );
  return app;
}
