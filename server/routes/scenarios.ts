/**
 * /scenarios: named what-if scenarios over the baseline. Create, rename, delete; add, move,
 * remove, close, reopen a station or change its capacity or category, each answered with the
 * delta it made; undo and redo; preview an edit; the scenario's stations and its cells' distances
 * (to recolour the map); compare it with the baseline; suggest sites.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DeltaRow } from '../core/whatif.ts';
import type { Scenarios } from '../scenarios.ts';
import { suggestSites } from '../siting.ts';
import { jointStats } from '../joint.ts';
import { LANDUSES } from '../core/landuse.ts';
import { guard } from './errors.ts';
import { ErrorSchema, FeatureCollectionSchema, SpeedSchema, errorResponses, plainText, round } from './schemas.ts';

const json = (description: string) => ({ content: { 'application/json': { schema: z.any() } }, description });
const errors = {
  ...errorResponses,
  404: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No such scenario or station' },
  409: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Stale version, or nothing to undo or redo' },
};

const IdParam = z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: 'not a scenario id' }) });
const Name = plainText(z.string().trim().min(1, { message: 'must not be empty' }).max(100, { message: 'at most 100 characters' }));
const Version = z.number().int().min(0).optional().openapi({ description: 'the scenario version this change is based on; 409 when it is not the current one' });
const Lon = z.number().finite();
const Lat = z.number().finite();
const StationId = z.string().min(1).max(200);

const EditSchema = z
  .discriminatedUnion('op', [
    z.strictObject({ op: z.literal('add'), category: z.string(), lon: Lon, lat: Lat, name: plainText(z.string().max(200)).optional(), capacity: z.number().finite().min(0).nullable().optional() }),
    z.strictObject({ op: z.literal('move'), station: StationId, lon: Lon, lat: Lat }),
    z.strictObject({ op: z.literal('remove'), station: StationId }),
    z.strictObject({ op: z.literal('close'), station: StationId }),
    z.strictObject({ op: z.literal('reopen'), station: StationId }),
    z.strictObject({ op: z.literal('capacity'), station: StationId, capacity: z.number().finite().min(0).nullable() }),
    z.strictObject({ op: z.literal('category'), station: StationId, category: z.string() }),
    z.strictObject({ op: z.literal('merge'), units: z.array(z.string().min(1).max(200)).min(1).max(500), name: plainText(z.string().max(100)).optional(), override: z.boolean().optional() }),
    z.strictObject({ op: z.literal('unmerge'), joint: z.string().min(1).max(100) }),
    z.strictObject({ op: z.literal('rename-joint'), joint: z.string().min(1).max(100), name: Name }),
  ])
  .openapi('Edit');

const body = <T extends z.ZodType>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } });

export function scenarioRoutes(scenarios: Scenarios) {
  const { stored } = scenarios.city;
  const communityOf = (i: number) => (i < 0 ? null : { id: stored.communities[i].id, name: stored.communities[i].name });
  const deltaJson = (rows: DeltaRow[]) =>
    rows.map((r) => ({
      category: r.category, tier: r.tierMin, speed: r.speed, community: communityOf(r.community),
      residentsGained: round(r.residentsGained, 1), residentsLost: round(r.residentsLost, 1),
      elderlyGained: round(r.elderlyGained, 1), elderlyLost: round(r.elderlyLost, 1),
    }));

  const app = new OpenAPIHono();

  app.openapi(createRoute({ method: 'get', path: '/scenarios', summary: 'Every scenario', responses: { 200: json('Scenarios') } }), async (c) =>
    c.json({ scenarios: await scenarios.list() }, 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/scenarios', summary: 'A new scenario, starting from the baseline', request: body(z.strictObject({ name: Name })), responses: { 201: json('The scenario'), ...errors } }),
    async (c) => c.json(await scenarios.create(c.req.valid('json').name), 201),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/scenarios/{id}', summary: 'A scenario and its applied edits', request: { params: IdParam }, responses: { 200: json('The scenario'), ...errors } }),
    (c) =>
      guard(async () => {
        const { scenario, model, skipped } = await scenarios.current(c.req.valid('param').id);
        return c.json({ ...scenario, edits: model.applied.length, skipped }, 200);
      }),
  );

  app.openapi(
    createRoute({ method: 'patch', path: '/scenarios/{id}', summary: 'Rename a scenario', request: { params: IdParam, ...body(z.strictObject({ name: Name, baseVersion: Version })) }, responses: { 200: json('The scenario'), ...errors } }),
    (c) => guard(async () => c.json(await scenarios.rename(c.req.valid('param').id, c.req.valid('json').name, c.req.valid('json').baseVersion), 200)),
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/scenarios/{id}', summary: 'Delete a scenario and its edits', request: { params: IdParam }, responses: { 200: json('Deleted'), ...errors } }),
    (c) =>
      guard(async () => {
        await scenarios.remove(c.req.valid('param').id);
        return c.json({ deleted: c.req.valid('param').id }, 200);
      }),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/scenarios/{id}/edits', summary: 'Apply an edit; answers with residents and elderly newly covered or lost',
      request: { params: IdParam, ...body(z.strictObject({ edit: EditSchema, baseVersion: Version })) },
      responses: { 200: json('The scenario and the delta'), ...errors, 422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No street near the point' } },
    }),
    (c) =>
      guard(async () => {
        const { edit, baseVersion } = c.req.valid('json');
        const out = await scenarios.edit(c.req.valid('param').id, edit, baseVersion);
        return c.json({ scenario: out.scenario, delta: deltaJson(out.delta) }, 200);
      }),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/scenarios/{id}/preview', summary: 'The delta an edit would make, without applying it',
      request: { params: IdParam, ...body(z.strictObject({ edit: EditSchema })) },
      responses: { 200: json('The delta'), ...errors, 422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'No street near the point' } },
    }),
    (c) => guard(async () => c.json({ delta: deltaJson(await scenarios.preview(c.req.valid('param').id, c.req.valid('json').edit)) }, 200)),
  );

  for (const step of ['undo', 'redo'] as const) {
    app.openapi(
      createRoute({
        method: 'post', path: `/scenarios/{id}/${step}`, summary: step === 'undo' ? 'Undo the last edit' : 'Redo the last undone edit',
        request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ baseVersion: Version }) } }, required: false } },
        responses: { 200: json('The scenario and the delta'), ...errors },
      }),
      (c) =>
        guard(async () => {
          const id = c.req.valid('param').id;
          const baseVersion = (c.req.valid('json') as { baseVersion?: number } | undefined)?.baseVersion;
          const out = await scenarios[step](id, baseVersion);
          return c.json({ scenario: out.scenario, delta: deltaJson(out.delta) }, 200);
        }),
    );
  }

  app.openapi(
    createRoute({
      method: 'get', path: '/scenarios/{id}/stations', summary: "The scenario's stations (GeoJSON points), baseline ones and added ones, open and closed",
      request: { params: IdParam }, responses: { 200: { content: { 'application/json': { schema: FeatureCollectionSchema } }, description: 'Stations' }, ...errors },
    }),
    (c) =>
      guard(async () => {
        const { model } = await scenarios.current(c.req.valid('param').id);
        const features = [...model.stations.values()].map((s) => ({
          type: 'Feature' as const,
          geometry: { type: 'Point' as const, coordinates: [s.lon, s.lat] },
          properties: { id: s.id, name: s.name, category: s.category, capacity: s.capacity, open: s.open, added: s.added, reachable: s.snap.edge >= 0 },
        }));
        return c.json({ type: 'FeatureCollection' as const, features }, 200);
      }),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/scenarios/{id}/joint', summary: "The scenario's joint communities with their residents, workstations, rule findings, coverage and requirement checks",
      request: { params: IdParam, query: z.object({ sameBoundary: z.enum(['true', 'false']).default('false') }) },
      responses: { 200: json('Joint communities'), ...errors },
    }),
    (c) =>
      guard(async () => {
        const { scenario, model } = await scenarios.current(c.req.valid('param').id);
        const sameBoundary = c.req.valid('query').sameBoundary === 'true';
        return c.json({ scenario, joints: [...model.joints.values()].map((j) => jointStats(scenarios.city, model, j, { sameBoundary })) }, 200);
      }),
  );

  const categories = stored.categories.map((k) => k.id);
  const CategoryQuery = z.string().refine((v) => categories.includes(v), { message: `unknown category; known: ${categories.join(', ')}` });
  // The live model keeps each station's walkshed only up to the longest tier at the fastest speed,
  // so it knows no distance beyond that: such cells are null, like unreachable ones. Every tier at
  // every speed ends within it, so whether a cell is covered, and its colour step, is exact.
  const reachM = Math.max(...scenarios.city.tiers) * Math.max(scenarios.city.speeds.general, scenarios.city.speeds.elderly);
  app.openapi(
    createRoute({
      method: 'get', path: '/scenarios/{id}/cells',
      summary: "Metres from every cell to the scenario's nearest open station per category, in /cells order; null beyond reachM (the walkshed reach) or unreachable",
      request: { params: IdParam, query: z.object({ category: CategoryQuery.optional().openapi({ description: 'only this category (all when absent)' }) }) },
      responses: { 200: json('reachM and distM per category'), ...errors },
    }),
    (c) =>
      guard(async () => {
        const only = c.req.valid('query').category;
        const { model } = await scenarios.current(c.req.valid('param').id);
        const n = model.live.cellCount;
        const distM: Record<string, Array<number | null>> = {};
        model.live.categories.forEach((category, k) => {
          if (only && category !== only) return;
          const out = new Array<number | null>(n);
          for (let cell = 0; cell < n; cell++) {
            const d = model.live.nearest(k, cell);
            out[cell] = Number.isFinite(d) ? Math.round(d) : null;
          }
          distM[category] = out;
        });
        return c.json({ reachM, distM }, 200);
      }),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/scenarios/{id}/compare', summary: 'Coverage of the scenario against the baseline, by category, tier, speed and community',
      request: {
        params: IdParam,
        query: z.object({
          category: CategoryQuery.optional(),
          tier: z.coerce.number().refine((v) => scenarios.city.tiers.includes(v), { message: `must be one of ${scenarios.city.tiers.join(', ')}` }).optional(),
          speed: SpeedSchema.optional(),
        }),
      },
      responses: { 200: json('Before and after'), ...errors },
    }),
    (c) =>
      guard(async () => {
        const { category, tier, speed } = c.req.valid('query');
        const { scenario, model } = await scenarios.current(c.req.valid('param').id);
        const keep = (r: { category: string; tierMin: number; speed: string }) =>
          (!category || r.category === category) && (tier === undefined || r.tierMin === tier) && (!speed || r.speed === speed);
        const after = new Map(model.live.covered().filter(keep).map((r) => [`${r.category}|${r.tierMin}|${r.speed}|${r.community}`, r]));
        const rows = stored.coverage.filter(keep).map((b) => {
          const a = after.get(`${b.category}|${b.tierMin}|${b.speed}|${b.community}`)!;
          return {
            category: b.category, tier: b.tierMin, speed: b.speed, community: communityOf(b.community),
            residents: b.residents, elderly: b.elderly,
            before: { residentsCovered: b.residentsCovered, elderlyCovered: b.elderlyCovered },
            after: { residentsCovered: round(a.residentsCovered, 1), elderlyCovered: round(a.elderlyCovered, 1) },
          };
        });
        return c.json({ scenario, rows }, 200);
      }),
  );

  const ProblemSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('max-cover'), p: z.number().int().min(1, { message: 'must be at least 1' }).max(500) }),
    z.strictObject({ kind: z.literal('set-cover'), targetShare: z.number().gt(0, { message: 'must be above 0' }).max(1, { message: 'at most 1' }) }),
    z.strictObject({ kind: z.literal('capacitated'), p: z.number().int().min(1, { message: 'must be at least 1' }).max(500), capacity: z.number().positive() }),
  ]);
  const SuggestSchema = z.strictObject({
    category: z.string().refine((v) => categories.includes(v), { message: `unknown category; known: ${categories.join(', ')}` }),
    tier: z.number().refine((v) => scenarios.city.tiers.includes(v), { message: `must be one of ${scenarios.city.tiers.join(', ')}` }),
    speed: SpeedSchema.default('elderly'),
    weight: z.enum(['residents', 'elderly']).default('elderly'),
    problem: ProblemSchema,
    candidates: z.array(z.strictObject({ lon: Lon, lat: Lat })).min(1).max(20000).optional(),
    excludeLanduse: z.array(z.enum(LANDUSES)).optional().openapi({ description: 'leave out candidate cells in water or green areas (with the default candidates)' }),
    exactSeconds: z.number().min(0).max(120).default(0).openapi({ description: 'also solve with HiGHS for at most this long (0: greedy only)' }),
  });
  app.openapi(
    createRoute({
      method: 'post', path: '/scenarios/{id}/suggest',
      summary: "Suggest sites for new stations on the scenario's current coverage: maximal covering (p sites), set covering (a target share) or capacitated; greedy with interchange, optionally with HiGHS's optimum or bound",
      request: { params: IdParam, ...body(SuggestSchema) },
      responses: { 200: json('Proposed sites with their marginal gains'), ...errors, 422: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Infeasible target, or no usable candidate' } },
    }),
    (c) =>
      guard(async () => {
        const req = c.req.valid('json');
        const { model } = await scenarios.current(c.req.valid('param').id);
        return c.json(await suggestSites(scenarios.city, model, req), 200);
      }),
  );

  return app;
}
