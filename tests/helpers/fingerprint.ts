import { openDb, type Db } from '../../server/db/connection.ts';
import { CITY_TABLES } from '../../server/db/schema.ts';
import { queryRows } from './harbin.ts';

/** Row count and an order-independent hash of every city table (meta without its timestamps). */
export async function fingerprint(path: string): Promise<Record<string, string>> {
  const db = await openDb(path);
  try {
    const out: Record<string, string> = {};
    for (const table of CITY_TABLES) {
      const where = table === 'meta' ? "WHERE key NOT IN ('built_at', 'timings_json')" : '';
      const [r] = await queryRows<{ n: number; h: string }>(db, `SELECT count(*) AS n, sum(hash(t))::VARCHAR AS h FROM ${table} t ${where}`);
      out[table] = `${r.n}:${r.h}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/** Every stored table of an open database (the city's, scenarios, snapshots, tokens): row count and an order-independent hash. */
export async function storedTables(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of [...CITY_TABLES, 'scenarios', 'scenario_edits', 'snapshots', 'snapshot_files', 'tokens']) {
    const [r] = await queryRows<{ n: number; h: string }>(db, `SELECT count(*) AS n, sum(hash(t))::VARCHAR AS h FROM ${table} t`);
    out[table] = `${r.n}:${r.h}`;
  }
  return out;
}
