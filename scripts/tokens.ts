/**
 * lifecircle tokens: list, make and revoke the tokens every change needs.
 *
 *   npm run tokens -- list   [--db FILE]                 # the server stopped: the database file itself
 *   npm run tokens -- create --label "规划科 王工" [--db FILE]
 *   npm run tokens -- revoke ID [--db FILE]
 *   npm run tokens -- list --url http://127.0.0.1:8080 --token lc_…   # a running server, through its API
 *
 * A running server holds its database file (DuckDB lets one process write it), so use --url then;
 * a revocation through the API takes effect on the server's next request.
 * Exit codes: 0 done, 2 bad input (the message names the option), 1 anything else.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Tokens } from '../server/auth.ts';
import { HARBIN_DB } from '../server/config.ts';
import { openDb } from '../server/db/connection.ts';
import type { TokenRow } from '../server/db/tokens.ts';
import { InputError } from '../server/errors.ts';

const HELP = `Usage: npm run tokens -- <list | create | revoke ID> [options]

  --db FILE        city database (default data/harbin.duckdb), with the server stopped
  --url URL        a running server instead (needs --token)
  --token TOKEN    a valid token, for --url
  --label TEXT     create: who or what the token is for
`;

interface Backend {
  list(): Promise<TokenRow[]>;
  create(label: string): Promise<{ id: string; token: string }>;
  revoke(id: string): Promise<boolean>;
  close(): void;
}

async function viaApi(url: string, token: string): Promise<Backend> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, url), { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await res.json()) as { error?: { message: string } };
    if (res.status === 401) throw new InputError(json.error?.message ?? 'not allowed', { field: 'token' });
    return { status: res.status, json: json as any };
  };
  return {
    list: async () => (await call('GET', '/api/tokens')).json.tokens,
    create: async (label) => (await call('POST', '/api/tokens', { label })).json,
    revoke: async (id) => (await call('DELETE', `/api/tokens/${encodeURIComponent(id)}`)).status === 200,
    close() {},
  };
}

async function viaFile(path: string): Promise<Backend> {
  if (!existsSync(path)) throw new InputError(`no database file "${path}"`, { field: 'db' });
  const db = await openDb(path).catch((err: Error) => {
    throw new InputError(`cannot open "${path}" (${err.message.split('\n')[0]}); is the server running? then use --url and --token`, { field: 'db' });
  });
  const tokens = await Tokens.open(db.conn);
  return { list: () => tokens.list(), create: (l) => tokens.create(l), revoke: (id) => tokens.revoke(id), close: () => db.close() };
}

async function main() {
  const { values: v, positionals } = parseArgs({
    allowPositionals: true,
    options: { db: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, label: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command, arg] = positionals;
  if (v.help || !command) {
    process.stdout.write(HELP);
    if (!v.help) process.exit(2);
    return;
  }
  if (!['list', 'create', 'revoke'].includes(command)) throw new InputError(`unknown command "${command}"; use list, create or revoke`, { field: 'command' });
  if (command === 'create' && !(v.label ?? '').trim()) throw new InputError('is required: who or what the token is for', { field: 'label' });
  if (command === 'revoke' && !/^[0-9a-f]{12}$/.test(arg ?? '')) throw new InputError(`must be a token id (12 hex digits, as list shows), got "${arg ?? ''}"`, { field: 'id' });
  if (v.url && !v.token) throw new InputError('is required with --url', { field: 'token' });
  const backend = v.url ? await viaApi(v.url, v.token!) : await viaFile(v.db ?? HARBIN_DB);
  try {
    if (command === 'list') {
      for (const t of await backend.list()) console.log(`${t.id}\t${t.createdAt}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\t${t.label}`);
    } else if (command === 'create') {
      const made = await backend.create(v.label!.trim());
      console.error(`token ${made.id} made; it is shown this once:`);
      console.log(made.token);
    } else {
      if (!(await backend.revoke(arg!))) throw new InputError(`no active token "${arg}"`, { field: 'id' });
      console.log(`revoked ${arg}`);
    }
  } finally {
    backend.close();
  }
}

main().catch((err) => {
  if (err instanceof InputError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
