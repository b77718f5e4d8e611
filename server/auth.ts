/**
 * Who may change things. Reading (the planner's maps, the API's GETs, the published maps) is open;
 * every change — an edit, an import, publishing, unpublishing, managing tokens — needs a token sent
 * as `Authorization: Bearer <token>`. Tokens look like `lc_<id>_<secret>`: the id finds the row, the
 * secret's SHA-256 is compared in constant time; revoking one takes effect on the next request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import * as db from './db/tokens.ts';

const TOKEN = /^lc_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class Tokens {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(conn: DuckDBConnection): Promise<Tokens> {
    await db.ensureTokenTable(conn);
    return new Tokens(conn);
  }

  list() {
    return db.listTokens(this.conn);
  }

  /** Whether any token was ever made (the first start makes one). */
  async any(): Promise<boolean> {
    return (await db.countTokens(this.conn)) > 0;
  }

  /** Make a token: its row and the token text, which is never stored and cannot be shown again. */
  async create(label: string): Promise<{ id: string; token: string }> {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await db.insertToken(this.conn, id, sha256(secret), label);
    return { id, token: `lc_${id}_${secret}` };
  }

  revoke(id: string): Promise<boolean> {
    return db.revokeToken(this.conn, id);
  }

  /** The id of the valid, unrevoked token in `header` ("Bearer lc_…"), or null. */
  async check(header: string | undefined): Promise<string | null> {
    const m = header?.match(/^Bearer\s+(\S+)$/i)?.[1].match(TOKEN);
    if (!m) return null;
    const stored = await db.activeTokenHash(this.conn, m[1]);
    if (!stored) return null;
    const a = Buffer.from(stored, 'hex');
    const b = Buffer.from(sha256(m[2]), 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? m[1] : null;
  }
}
