/**
 * /tokens: list, make and revoke the tokens that changes need. Every route here needs a token
 * itself (app.ts's access check), GET included: the list says who may change things.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Tokens } from '../auth.ts';
import { apiError } from './errors.ts';
import { ErrorSchema, errorResponses } from './schemas.ts';

const json = (description: string) => ({ content: { 'application/json': { schema: z.any() } }, description });
const IdParam = z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, { message: 'not a token id (12 hex digits)' }) });

export function tokenRoutes(tokens: Tokens) {
  const app = new OpenAPIHono();
  app.openapi(createRoute({ method: 'get', path: '/tokens', summary: 'Every token (ids, labels, dates; never the secret)', responses: { 200: json('Tokens'), ...errorResponses } }), async (c) =>
    c.json({ tokens: await tokens.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/tokens', summary: 'Make a token; its text is answered once and never again',
      request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ label: z.string().trim().min(1, { message: 'must not be empty' }).max(100) }) } } } },
      responses: { 201: json('The new token'), ...errorResponses },
    }),
    async (c) => c.json(await tokens.create(c.req.valid('json').label), 201),
  );
  app.openapi(
    createRoute({ method: 'delete', path: '/tokens/{id}', summary: 'Revoke a token: it opens nothing from the next request on', request: { params: IdParam }, responses: { 200: json('Revoked'), ...errorResponses, 404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such active token' } } }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await tokens.revoke(id))) throw apiError(404, `id: no active token "${id}"`, 'id');
      return c.json({ revoked: id }, 200);
    },
  );
  return app;
}
