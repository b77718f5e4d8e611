/**
 * Access tokens for changes (edits, imports, publishing). Only a token's SHA-256 is stored: the
 * token itself is shown once, when it is made. Revoked tokens stay listed with their revocation time.
 * Not part of a city build: a rebuild keeps them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface TokenRow {
  id: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export async function ensureTokenTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE TABLE IF NOT EXISTS tokens (
      token_id VARCHAR PRIMARY KEY, sha256 VARCHAR NOT NULL, label VARCHAR NOT NULL,
      created_at TIMESTAMP DEFAULT current_timestamp, revoked_at TIMESTAMP);`);
}

const SELECT = `SELECT token_id AS id, label, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS "createdAt",
  strftime(revoked_at, '%Y-%m-%dT%H:%M:%SZ') AS "revokedAt" FROM tokens`;

export async function listTokens(conn: DuckDBConnection): Promise<TokenRow[]> {
  return (await conn.runAndReadAll(`${SELECT} ORDER BY created_at, token_id`)).getRowObjectsJS() as unknown as TokenRow[];
}

export async function countTokens(conn: DuckDBConnection): Promise<number> {
  return Number((await conn.runAndReadAll('SELECT count(*)::INTEGER FROM tokens')).getRows()[0][0]);
}

export async function insertToken(conn: DuckDBConnection, id: string, sha256: string, label: string): Promise<void> {
  await conn.run('INSERT INTO tokens (token_id, sha256, label) VALUES ($id, $sha, $label)', { id, sha: sha256, label });
}

/** The stored hash of a token that is not revoked, or null. */
export async function activeTokenHash(conn: DuckDBConnection, id: string): Promise<string | null> {
  const rows = (await conn.runAndReadAll('SELECT sha256 FROM tokens WHERE token_id = $id AND revoked_at IS NULL', { id })).getRows();
  return rows.length ? String(rows[0][0]) : null;
}

/** Revoke a token; false when there is no such token or it was revoked already. */
export async function revokeToken(conn: DuckDBConnection, id: string): Promise<boolean> {
  const r = await conn.runAndReadAll('UPDATE tokens SET revoked_at = current_timestamp WHERE token_id = $id AND revoked_at IS NULL RETURNING token_id', { id });
  return r.getRows().length > 0;
}
