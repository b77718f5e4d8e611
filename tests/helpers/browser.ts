/**
 * One page of the planner on Harbin for a browser suite: Harbin built into a throwaway file, the
 * real server on it as a child process, Debian's Chromium (scripts/harness.ts), and a page loaded
 * until the cells are drawn, with every console error, page error and failed request collected.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { WEB_ROOT } from '../../server/config.ts';
import { launchChromium, startServer, type RunningServer } from '../../scripts/harness.ts';
import { buildHarbin } from './harbin.ts';

export interface HarbinPage {
  server: RunningServer;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and failed requests, in order. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * `ignoreAborted`: requests the page cancels itself (a newer one superseding them) are not
 * problems.
 */
export async function openHarbinPage(options: { ignoreAborted?: boolean } = {}): Promise<HarbinPage> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error('dist/web is missing: npm test builds it (vite build) before vitest');
  const h = await buildHarbin();
  h.db.close(); // the server opens the file itself
  const server = await startServer(h.dbPath);
  const chrome = await launchChromium();
  const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  // the planner sends this browser's remembered token with every change (the server printed it at its first start)
  await context.addInitScript((token) => localStorage.setItem('lifecircle.token', token), server.token!);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText;
    if (!(options.ignoreAborted && error === 'net::ERR_ABORTED')) problems.push(`request failed: ${r.url()} ${error ?? ''}`);
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.documentElement.dataset.cellsDrawn === 'true', null, { timeout: 120_000 });
  return {
    server,
    context,
    page,
    problems,
    async close() {
      await context.close();
      await chrome.close();
      await server.stop();
      h.dispose();
    },
  };
}

/** The headers of a change sent by a test itself: JSON and the server's token. */
export const changeHeaders = (server: RunningServer) => ({ 'content-type': 'application/json', authorization: `Bearer ${server.token}` });

/** A whole number as the Chinese page writes it (12,345). */
export const zhInt = (n: number) => Math.round(n).toLocaleString('zh-CN');

/** The page's next response to a request of `method` whose path matches. */
export const answerOf = (p: Page, path: RegExp, method = 'POST') =>
  p.waitForResponse((r: Response) => r.request().method() === method && path.test(new URL(r.url()).pathname), { timeout: 120_000 });
