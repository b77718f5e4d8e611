/**
 * The HTTP app: the JSON API under /api (one sub-app per resource, errors shaped in one place)
 * and the built web app. Test it in process with `app.request()`.
 */
import { existsSync } from 'node:fs';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
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
import { tokenRoutes } from './routes/tokens.ts';
import { importRoutes } from './routes/import.ts';
import type { Tokens } from './auth.ts';

export interface AppOptions {
  /** Folder of the built web app (vite build); not served when absent. */
  webRoot?: string;
  /** A MapLibre style URL of a tile service, for deployments that have one. */
  styleUrl?: string;
  /** Largest request body accepted, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Largest facility-list upload (POST /scenarios/{id}/import), bytes (default 20 MiB). */
  maxUploadBytes?: number;
  /** Most facilities one import may add (default 20,000). */
  maxUploadFeatures?: number;
  /** Extra sub-apps mounted under /api (the basemap tiles). */
  extraRoutes?: OpenAPIHono[];
  /** Stored scenarios; the /scenarios routes are mounted when given. */
  scenarios?: Scenarios;
  /** Published maps; the /published routes are mounted when given. */
  publisher?: Publisher;
  /**
   * Tokens: when given, every change (any method but GET and HEAD, but for the read-only checks in
   * OPEN_POSTS) and the token routes need a valid token; without, nothing is checked (in-process tests).
   */
  tokens?: Tokens;
  /** Other origins allowed to call the API from a browser (CORS); the app's own origin always is. */
  corsOrigins?: string[];
}

/** POSTs that compute an answer and change nothing: open to viewers like any GET. */
const OPEN_POSTS = [/^\/api\/joint\/check$/, /^\/api\/scenarios\/[a-z0-9-]+\/preview$/];
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const IMPORT_PATH = /^\/api\/scenarios\/[^/]+\/import$/;

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
  const allowed = new Set(options.corsOrigins ?? []);
  api.use('*', cors({ origin: (origin) => (allowed.has(origin) ? origin : null), allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'], maxAge: 600 }));
  api.use('*', async (c, next) => {
    // a browser sends Origin with every change; one from a page of another site is refused outright,
    // whatever it carries (CORS alone would only hide the answer from that page)
    const origin = c.req.header('origin');
    if (origin && !READS.has(c.req.method) && origin !== new URL(c.req.url).origin && !allowed.has(origin)) {
      return c.json({ error: { message: `origin ${origin} may not change anything here (allowed: this server's own origin${allowed.size ? `, ${[...allowed].join(', ')}` : ''})`, param: 'origin' } } satisfies ApiErrorBody, 403);
    }
    const tokens = options.tokens;
    if (!tokens) return next();
    const path = new URL(c.req.url).pathname;
    const needsToken = path.startsWith('/api/tokens') || (!READS.has(c.req.method) && !OPEN_POSTS.some((r) => r.test(path)));
    if (needsToken && !(await tokens.check(c.req.header('authorization')))) {
      const sent = c.req.header('authorization') !== undefined;
      c.header('WWW-Authenticate', 'Bearer realm="lifecircle"');
      return c.json(
        { error: { message: sent ? 'the token is not valid (unknown, malformed or revoked)' : 'this change needs a token: send "Authorization: Bearer <token>" (npm run tokens -- create)', param: 'authorization' } } satisfies ApiErrorBody,
        401,
      );
    }
    return next();
  });
  const maxUpload = options.maxUploadBytes ?? 20 * 1024 * 1024;
  const limit = (bytes: number, what: string) =>
    bodyLimit({
      maxSize: bytes,
      onError: (c) => c.json({ error: { message: `${what} larger than ${bytes} bytes`, param: 'body' } } satisfies ApiErrorBody, 413),
    });
  const bodyLimitJson = limit(maxBody, 'request body');
  const bodyLimitUpload = limit(maxUpload, 'upload');
  // uploads (facility lists) have their own, larger limit; every other body the small one
  api.use('*', (c, next) => (IMPORT_PATH.test(new URL(c.req.url).pathname) ? bodyLimitUpload(c, next) : bodyLimitJson(c, next)));
  api.route('/', cityRoutes(city, { styleUrl: options.styleUrl }));
  api.route('/', communityRoutes(city));
  api.route('/', facilityRoutes(city));
  api.route('/', cellRoutes(city));
  api.route('/', gapRoutes(city));
  api.route('/', walkshedRoutes(city));
  api.route('/', complianceRoutes(city));
  if (options.scenarios) {
    api.route('/', scenarioRoutes(options.scenarios));
    api.route('/', importRoutes(options.scenarios, { maxFeatures: options.maxUploadFeatures ?? 20_000 }));
  }
  if (options.publisher) api.route('/', publishedRoutes(city, options.publisher));
  api.route('/', profileRoutes(city));
  api.route('/', unitRoutes(city));
  api.route('/', jointRoutes(city));
  if (options.tokens) api.route('/', tokenRoutes(options.tokens));
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
