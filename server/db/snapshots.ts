/**
 * Published snapshots: immutable copies of a view (baseline or a scenario at one version) with
 * all the data a viewer needs, stored as JSON. Not part of a city build: a rebuild keeps them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface SnapshotRow {
  name: string;
  title: string;
  createdAt: string;
  scenarioId: string | null;
  scenarioVersion: number | null;
}

export async function ensureSnapshotTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE TABLE IF NOT EXISTS snapshots (
      name VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, created_at TIMESTAMP DEFAULT current_timestamp,
      scenario_id VARCHAR, scenario_version INTEGER, data_json VARCHAR NOT NULL);`);
}

const SELECT = `SELECT name, title, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS "createdAt", scenario_id AS "scenarioId",
  scenario_version AS "scenarioVersion" FROM snapshots`;

export async function listSnapshots(conn: DuckDBConnection): Promise<SnapshotRow[]> {
  return (await conn.runAndReadAll(`${SELECT} ORDER BY created_at, name`)).getRowObjectsJS() as unknown as SnapshotRow[];
}

export async function hasSnapshot(conn: DuckDBConnection, name: string): Promise<boolean> {
  return (await conn.runAndReadAll('SELECT 1 FROM snapshots WHERE name = $name', { name })).getRows().length > 0;
}

/** The stored data of a snapshot, as JSON text, or null. */
export async function snapshotData(conn: DuckDBConnection, name: string): Promise<string | null> {
  const rows = (await conn.runAndReadAll('SELECT data_json FROM snapshots WHERE name = $name', { name })).getRows();
  return rows.length ? String(rows[0][0]) : null;
}

export async function insertSnapshot(conn: DuckDBConnection, s: { name: string; title: string; scenarioId: string | null; scenarioVersion: number | null; dataJson: string }): Promise<void> {
  await conn.run('INSERT INTO snapshots (name, title, scenario_id, scenario_version, data_json) VALUES ($name, $title, $sid, $sv, $data)', {
    name: s.name, title: s.title, sid: s.scenarioId, sv: s.scenarioVersion, data: s.dataJson,
  });
}

export async function deleteSnapshot(conn: DuckDBConnection, name: string): Promise<void> {
  await conn.run('DELETE FROM snapshots WHERE name = $name', { name });
}
