/**
 * `npm run tokens`: on the database file with the server stopped, and through a running server's API:
 * a made token works for a change until it is revoked; bad arguments exit 2 naming the option.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../scripts/harness.ts';
import { buildHarbin, type Built } from './helpers/harbin.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
let h: Built;
let server: RunningServer | undefined;
beforeAll(async () => {
  h = await buildHarbin();
  h.db.close();
}, 300_000);
afterAll(async () => {
  await server?.stop();
  h?.dispose();
});

function tokens(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/tokens.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}
const change = (token: string) =>
  fetch(new URL('/api/scenarios', server!.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'x' }) }).then((r) => r.status);

describe('npm run tokens', () => {
  let made: string;
  it('makes, lists and revokes tokens on the database file', () => {
    const a = tokens('create', '--label', '规划科 王工', '--db', h.dbPath);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^lc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    made = a.out;
    const b = tokens('create', '--label', 'temp', '--db', h.dbPath);
    const id = b.out.split('_')[1];
    const list = tokens('list', '--db', h.dbPath).out.split('\n').map((l) => l.split('\t'));
    expect(list.map((l) => [l[2], l[3]])).toEqual([['active', '规划科 王工'], ['active', 'temp']]);
    expect(tokens('revoke', id, '--db', h.dbPath)).toMatchObject({ code: 0, out: `revoked ${id}` });
    expect(tokens('list', '--db', h.dbPath).out.split('\n')[1]).toMatch(new RegExp(`^${id}\t.*\trevoked .*\ttemp$`));
  });

  it('exits 2 naming the option for bad arguments', () => {
    expect(tokens('create', '--db', h.dbPath)).toMatchObject({ code: 2, err: 'error: field "label": is required: who or what the token is for' });
    expect(tokens('revoke', '../x', '--db', h.dbPath)).toMatchObject({ code: 2, err: 'error: field "id": must be a token id (12 hex digits, as list shows), got "../x"' });
    expect(tokens('revoke', 'aaaaaaaaaaaa', '--db', h.dbPath)).toMatchObject({ code: 2, err: 'error: field "id": no active token "aaaaaaaaaaaa"' });
    expect(tokens('list', '--url', 'http://127.0.0.1:1')).toMatchObject({ code: 2, err: 'error: field "token": is required with --url' });
    expect(tokens('drop', '--db', h.dbPath).code).toBe(2);
    expect(tokens('list', '--db', '/nonexistent/x.duckdb')).toMatchObject({ code: 2, err: 'error: field "db": no database file "/nonexistent/x.duckdb"' });
  });

  it('works through a running server: a revoked token opens nothing from the next request on', async () => {
    server = await startServer(h.dbPath);
    // tokens existed already: the server made none
    expect(server.token).toBeUndefined();
    expect(await change(made)).toBe(201);
    const other = tokens('create', '--label', 'via api', '--url', server.url, '--token', made).out;
    expect(await change(other)).toBe(201);
    const id = other.split('_')[1];
    expect(tokens('revoke', id, '--url', server.url, '--token', made).code).toBe(0);
    expect(await change(other)).toBe(401);
    expect(tokens('list', '--url', server.url, '--token', other)).toMatchObject({ code: 2, err: 'error: field "token": the token is not valid (unknown, malformed or revoked)' });
    // the file is the server's while it runs
    expect(tokens('list', '--db', h.dbPath).code).toBe(2);
  });
});
