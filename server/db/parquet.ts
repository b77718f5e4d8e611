/**
 * Parquet files written by DuckDB's own writer, in a throwaway in-memory database: nothing touches
 * the city's file, and no other request's transaction shares the connection.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendColumns, type Column } from './append.ts';
import { openDb } from './connection.ts';

export type NamedColumn = { name: string } & Column;

/** A Parquet file (Snappy, the codec every Parquet reader has) of the given columns, as bytes. Column names must be plain identifiers. */
export async function parquetOf(columns: NamedColumn[], rowCount: number): Promise<Uint8Array> {
  for (const c of columns) if (!/^[a-z_][a-z0-9_]*$/.test(c.name)) throw new Error(`parquet: column name "${c.name}" is not a plain identifier`);
  const db = await openDb(':memory:');
  const dir = mkdtempSync(join(tmpdir(), 'lifecircle-parquet-'));
  try {
    await db.conn.run(`CREATE TABLE t (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);
    await appendColumns(db.conn, 't', rowCount, columns);
    const file = join(dir, 'out.parquet');
    await db.conn.run(`COPY t TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
    return readFileSync(file);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
