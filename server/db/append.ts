/**
 * Bulk loading through DuckDB's Appender (≈ 1 s per million rows; one INSERT per row is ~200×
 * slower, see stack-notes.md). Columns are given as arrays so callers never build row objects.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export type Column =
  | { type: 'INTEGER'; values: ArrayLike<number | null> }
  | { type: 'DOUBLE'; values: ArrayLike<number | null> }
  | { type: 'VARCHAR'; values: ArrayLike<string | null> }
  | { type: 'BOOLEAN'; values: ArrayLike<boolean | number> }
  | { type: 'BIGINT'; values: ArrayLike<number | null> }
  | { type: 'UBIGINT'; values: ArrayLike<bigint> };

/**
 * Append `rowCount` rows to `table`, one column array per table column, in table order.
 * null and non-finite numbers (an unreached Infinity, say) are stored as NULL.
 */
export async function appendColumns(conn: DuckDBConnection, table: string, rowCount: number, columns: Column[]) {
  const app = await conn.createAppender(table);
  try {
    for (let i = 0; i < rowCount; i++) {
      for (const col of columns) {
        const v = col.values[i];
        if (v === null || (typeof v === 'number' && col.type !== 'BOOLEAN' && !Number.isFinite(v))) {
          app.appendNull();
          continue;
        }
        switch (col.type) {
          case 'INTEGER':
            app.appendInteger(v as number);
            break;
          case 'DOUBLE':
            app.appendDouble(v as number);
            break;
          case 'VARCHAR':
            app.appendVarchar(v as string);
            break;
          case 'BOOLEAN':
            app.appendBoolean(Boolean(v));
            break;
          case 'BIGINT':
            app.appendBigInt(BigInt(v as number));
            break;
          case 'UBIGINT':
            app.appendUBigInt(v as bigint);
            break;
        }
      }
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}
