/**
 * The HTTP app: the JSON API under /api (one sub-app per resource, errors shaped in one place)
 * and the built web app. Test it in process with `app.request()`.
 */
import { existsSync } from 'node:fs';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import type { CityContext } from './context.ts';
import { cityRoutes } from './routes/city.ts';
import { communityRoutes } from './routes/communities.ts';
import { facilityRoutes } from './routes/facilities.ts';
import { cellRoutes } from './routes/cells.ts';
import { gapRoutes } from './routes/gaps.ts';
import { walkshedRoutes } from './routes/walkshed.ts';
import { complianceRoutes } from './routes/compliance.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { profileRoutes } from './routes/profile.ts';
import { unitRoutes } from './routes/units.ts';
import { jointRoutes } from './routes/joint.ts';
import type { ApiErrorBody } from './routes/errors.ts';
import type { Scenarios } from './scenarios.ts';
import type { Publisher } from './publish/publisher.ts';
import { publishedPages, publishedRoutes } from './routes/published.ts';

export interface AppOptions {
  /** Folder of the built web app (vite build); not served when absent. */
  webRoot?: string;
  /** A MapLibre style URL of a tile service, for deployments that have one. */
  styleUrl?: string;
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number;
  /** Extra sub-apps mounted under /api (the basemap tiles). */
  extraRoutes?: OpenAPIHono[];
  /** Stored scenarios; the /scenarios routes are mounted when given. */
  scenarios?: Scenarios;
  /** Published maps; the /published routes are mounted when given. */
  publisher?: Publisher;
}

export function createApp(city: CityContext, options: AppOptions = {}) {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const api = new OpenAPIHono({
    // zod validation failures: 400 naming the parameter
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const param = issue.path.join('.') || result.target;
      const where = result.target === 'param' ? 'path parameter' : result.target === 'query' ? 'query parameter' : result.target;
      const body: ApiErrorBody = { error: { message: `${where} "${param}": ${issue.message}`, param } };
      return c.json(body, 400);
    },
  });
  api.use(
    '*',
    bodyLimit({
      maxSize: maxBody,
      onError: (c) => c.json({ error: { message: `request body larger than ${maxBody} bytes`, param: 'body' } } satisfies ApiErrorBody, 413),
    }),
  );
  api.route('/', cityRoutes(city, { styleUrl: options.styleUrl }));
  api.route('/', communityRoutes(city));
  api.route('/', facilityRoutes(city));
  api.route('/', cellRoutes(city));
  api.route('/', gapRoutes(city));
  api.route('/', walkshedRoutes(city));
  api.route('/', complianceRoutes(city));
  if (options.scenarios) api.route('/', scenarioRoutes(options.scenarios));
  if (options.publisher) api.route('/', publishedRoutes(city, options.publisher));
  api.route('/', profileRoutes(city));
  api.route('/', unitRoutes(city));
  api.route('/', jointRoutes(city));
  for (const r of options.extraRoutes ?? []) api.route('/', r);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'lifecircle API', version: '1', description: 'Walking coverage of services in a 15-minute life circle. See docs/api.md.' },
  });
  const app = new OpenAPIHono();
  app.use('*', compress());
  app.route('/api', api);
  if (options.publisher) app.route('/p', publishedPages(options.publisher));
  // before the web app's catch-all, so an unknown API path is a JSON 404, never the index page
  app.all('/api/*', (c) => c.json({ error: { message: `no API route ${c.req.method} ${new URL(c.req.url).pathname}` } } satisfies ApiErrorBody, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.res) return err.res;
      return c.json({ error: { message: err.message } } satisfies ApiErrorBody, err.status);
    }
    console.error(err);
    return c.json({ error: { message: 'internal error' } } satisfies ApiErrorBody, 500);
  });
  if (options.webRoot && existsSync(options.webRoot)) {
    app.use('/*', serveStatic({ root: options.webRoot }));
    // the single-page app answers every other GET with its index
    app.get('*', serveStatic({ root: options.webRoot, path: 'index.html' }));
  }
  return app;
}
