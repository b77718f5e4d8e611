/** Request schemas shared by the routes; the category list and tiers come from the loaded city. */
import { z } from '@hono/zod-openapi';
import { isPlainText } from '../ingest/text.ts';
import type { CityContext } from '../context.ts';

export const ErrorSchema = z
  .object({ error: z.object({ message: z.string(), param: z.string().optional() }) })
  .openapi('Error');

export const FeatureCollectionSchema = z
  .object({ type: z.literal('FeatureCollection'), features: z.array(z.any()) })
  .openapi('FeatureCollection');

export const errorResponses = {
  400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'A parameter is malformed; `param` names it' },
};

export const SpeedSchema = z.enum(['general', 'elderly']).openapi({ description: 'walking speed group' });

/** A category id of this city. */
export function categorySchema(city: CityContext) {
  const ids = city.stored.categories.map((c) => c.id);
  return z
    .string()
    .refine((v) => ids.includes(v), { message: `unknown category; known: ${ids.join(', ')}` })
    .openapi({ description: 'facility category id', example: ids[0] });
}

/** category / tier / speed, validated against this city's categories and tiers. */
export function selectionSchema(city: CityContext) {
  const ids = city.stored.categories.map((c) => c.id);
  const fallback = ids.includes('elderly_care') ? 'elderly_care' : ids[0];
  const maxTier = Math.max(...city.tiers);
  return z.object({
    category: categorySchema(city).default(fallback),
    tier: z.coerce
      .number()
      .refine((v) => city.tiers.includes(v), { message: `must be one of ${city.tiers.join(', ')} (minutes)` })
      .default(maxTier)
      .openapi({ description: 'life-circle tier in minutes', example: maxTier }),
    speed: SpeedSchema.default('elderly'),
  });
}

/**
 * Text a client names or describes something with, as it will be stored and published: one line of
 * plain text (several with `lines`), refused when the body was not UTF-8.
 * @example plainText(z.string().trim().min(1).max(100))
 */
export function plainText<T extends z.ZodType<string>>(schema: T, options: { lines?: boolean } = {}) {
  return schema.refine((v) => isPlainText(v, options), {
    message: `must be plain UTF-8 text: no control characters${options.lines ? ' but line breaks and tabs' : ''}, no U+FFFD (a body that is not UTF-8 reads as it), no half surrogate pairs`,
  });
}

/** Round to `d` decimals for JSON answers. */
export const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
