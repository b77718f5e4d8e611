/** GET /profile: the standards profile the city was checked against, every rule with its source. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { CityContext } from '../context.ts';

const SourceSchema = z.object({
  document: z.string(),
  clause: z.string(),
  label: z.enum(['P', 'S', 'L', 'D', 'C']).openapi({ description: 'P official text, S secondary summary, L local rule, D derived, C conjecture' }),
});

// each kind has parameters of its own (data/standards/default.json); these fields every rule has
const RuleSchema = z.looseObject({ id: z.string(), kind: z.string(), source: SourceSchema, enabled: z.boolean() }).openapi('Rule');

const ProfileSchema = z
  .object({ name: z.string(), note: z.string().nullable(), rules: z.array(RuleSchema) })
  .openapi('Profile');

export function profileRoutes(city: CityContext) {
  const route = createRoute({
    method: 'get',
    path: '/profile',
    summary: 'The standards profile as loaded: every rule with its parameters, source and whether it is enabled',
    responses: { 200: { content: { 'application/json': { schema: ProfileSchema } }, description: 'The profile' } },
  });
  const { name, note, rules } = city.stored.profile;
  return new OpenAPIHono().openapi(route, (c) => c.json({ name, note, rules }, 200));
}
