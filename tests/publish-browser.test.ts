/**
 * Publishing from the planner in a real browser: the real server (child process) on Harbin, the
 * built web app, Debian's Chromium. The panel publishes the current view under a Chinese title, the
 * list shows it with the server's own entry, the served page /p/<name>/ renders the map over HTTP
 * under its Content-Security-Policy with no errors, and unpublishing from the list removes it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../scripts/harness.ts';
import { answerOf, openHarbinPage, type HarbinPage } from './helpers/browser.ts';
import { pixels } from './helpers/page.ts';

let opened: HarbinPage | undefined;
let server: RunningServer;
let page: Page;
let problems: string[];
beforeAll(async () => {
  opened = await openHarbinPage();
  ({ server, page, problems } = opened);
}, 300_000);
afterAll(async () => {
  await opened?.close();
});

const TITLE = '哈尔滨 养老服务 15 分钟覆盖（现状）';

describe('publishing from the planner', () => {
  it('publishes the current view from the panel; the list shows the server’s entry', async () => {
    await page.getByTestId('publish-open').click();
    const panel = page.getByTestId('publish-panel');
    await expect.poll(() => panel.isVisible()).toBe(true);
    await expect.poll(() => panel.textContent()).toContain('尚未发布地图');
    await panel.locator('[data-field="title"]').fill(TITLE);
    await panel.locator('[data-field="name"]').fill('harbin-elderly');
    const answer = answerOf(page, /^\/api\/published$/);
    await panel.locator('button[type="submit"]').click();
    const res = await answer;
    expect(res.status()).toBe(201);
    const list = (await (await fetch(new URL('/api/published', server.url))).json()) as { published: Array<{ name: string; title: string; scenarioId: string | null }> };
    expect(list.published).toEqual([expect.objectContaining({ name: 'harbin-elderly', title: TITLE, scenarioId: null })]);
    const item = panel.locator('[data-testid="published-list"] li[data-name="harbin-elderly"]');
    await expect.poll(() => item.textContent()).toContain(TITLE);
    expect(await item.locator('a').first().getAttribute('href')).toBe(new URL('/p/harbin-elderly/', server.url).href);
  });

  it('refuses a taken name beside the form, naming the field', async () => {
    const panel = page.getByTestId('publish-panel');
    await panel.locator('[data-field="name"]').fill('harbin-elderly');
    const answer = answerOf(page, /^\/api\/published$/);
    await panel.locator('button[type="submit"]').click();
    expect((await answer).status()).toBe(409);
    await expect.poll(() => page.getByTestId('publish-problem').textContent()).toContain('harbin-elderly');
  });

  it('serves the published page over HTTP: the map renders under its CSP, with no errors', async () => {
    const other = await page.context().newPage();
    const seen: string[] = [];
    other.on('pageerror', (e) => seen.push(`page: ${e.message}`));
    other.on('console', (m) => m.type() === 'error' && seen.push(`console: ${m.text()}`));
    const res = await other.goto(new URL('/p/harbin-elderly/', server.url).href);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self' blob:");
    await other.waitForFunction(() => (window as unknown as { __lifecircle?: { ready: Promise<void> } }).__lifecircle?.ready, null, { timeout: 120_000 });
    await other.evaluate(() => (window as unknown as { __lifecircle: { ready: Promise<void> } }).__lifecircle.ready);
    expect(await other.locator('h1').first().textContent()).toContain(TITLE);
    expect(await other.locator('#legend').isVisible()).toBe(true);
    // the gap magenta and the ramp are drawn: the cells are on the canvas
    expect((await pixels(other)).saturated).toBeGreaterThan(1000);
    expect(seen).toEqual([]);
    await other.close();
  });

  it('asks for the token when the browser has none, remembers it and sends the change again', async () => {
    await page.evaluate(() => localStorage.removeItem('lifecircle.token'));
    const asked: string[] = [];
    const answer = (d: import('playwright-core').Dialog) => {
      asked.push(d.type());
      void d.accept(server.token!);
    };
    page.on('dialog', answer);
    const panel = page.getByTestId('publish-panel');
    await panel.locator('[data-field="name"]').fill('asked-once');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/published') && r.status() === 401);
    const accepted = page.waitForResponse((r) => r.url().endsWith('/api/published') && r.status() === 201);
    await panel.locator('button[type="submit"]').click();
    await refused;
    await accepted;
    page.off('dialog', answer);
    expect(asked).toEqual(['prompt']);
    expect(await page.evaluate(() => localStorage.getItem('lifecircle.token'))).toBe(server.token);
    expect((await fetch(new URL('/p/asked-once/', server.url))).status).toBe(200);
  });

  it('unpublishes from the list: the address answers 404', async () => {
    page.once('dialog', (d) => d.accept());
    const panel = page.getByTestId('publish-panel');
    const answer = answerOf(page, /^\/api\/published\/harbin-elderly$/, 'DELETE');
    await panel.locator('li[data-name="harbin-elderly"] button').click();
    expect((await answer).status()).toBe(200);
    await expect.poll(() => panel.locator('li[data-name="harbin-elderly"]').count()).toBe(0);
    expect((await fetch(new URL('/p/harbin-elderly/', server.url))).status).toBe(404);
    // the refused publish (409) and the first try without a token (401) are shown, not failures
    expect(problems.filter((p) => !/\b(409|401)\b/.test(p))).toEqual([]);
  });
});
