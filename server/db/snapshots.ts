/**
 * Published snapshots: immutable copies of a view (baseline or a scenario at one version) with
 * all the data a viewer needs, stored as JSON, and the files of its published folder (page, data,
 * downloads, PNG, PDF) as blobs. Not part of a city build: a rebuild keeps them.
 */
import { blobValue, type DuckDBConnection } from '@duckdb/node-api';
import { transaction } from './connection.ts';

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
      scenario_id VARCHAR, scenario_version INTEGER, data_json VARCHAR NOT NULL);
    CREATE TABLE IF NOT EXISTS snapshot_files (
      name VARCHAR NOT NULL, path VARCHAR NOT NULL, content BLOB NOT NULL, PRIMARY KEY (name, path));`);
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

/** The files of a snapshot's folder: path and size, by path. */
export async function snapshotFileList(conn: DuckDBConnection, name: string): Promise<Array<{ path: string; bytes: number }>> {
  const r = await conn.runAndReadAll('SELECT path, octet_length(content)::INTEGER AS bytes FROM snapshot_files WHERE name = $name ORDER BY path', { name });
  return r.getRowObjectsJS() as unknown as Array<{ path: string; bytes: number }>;
}

/** One file of a snapshot's folder, or null. */
export async function snapshotFile(conn: DuckDBConnection, name: string, path: string): Promise<Uint8Array | null> {
  const rows = (await conn.runAndReadAll('SELECT content FROM snapshot_files WHERE name = $name AND path = $path', { name, path })).getRows();
  return rows.length ? (rows[0][0] as { bytes: Uint8Array }).bytes : null;
}

/** Store a snapshot and its files in one transaction: all of it is published, or nothing. */
export async function insertSnapshot(
  conn: DuckDBConnection,
  s: { name: string; title: string; scenarioId: string | null; scenarioVersion: number | null; dataJson: string; files: Record<string, Uint8Array> },
): Promise<void> {
  await transaction(conn, async () => {
    await conn.run('INSERT INTO snapshots (name, title, scenario_id, scenario_version, data_json) VALUES ($name, $title, $sid, $sv, $data)', {
      name: s.name, title: s.title, sid: s.scenarioId, sv: s.scenarioVersion, data: s.dataJson,
    });
    for (const [path, bytes] of Object.entries(s.files)) {
      await conn.run('INSERT INTO snapshot_files (name, path, content) VALUES ($name, $path, $content)', { name: s.name, path, content: blobValue(bytes) });
    }
  });
}

export async function deleteSnapshot(conn: DuckDBConnection, name: string): Promise<void> {
  await transaction(conn, async () => {
    await conn.run('DELETE FROM snapshot_files WHERE name = $name', { name });
    await conn.run('DELETE FROM snapshots WHERE name = $name', { name });
  });
}
