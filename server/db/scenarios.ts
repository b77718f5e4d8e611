/**
 * Scenarios: named edit logs over the baseline city. A scenario's edits are kept in order with a
 * `head`: edits at seq < head are applied, the rest are the redo stack. `version` counts every
 * change (edit, undo, redo, rename) so a client can tell whether its view is current.
 *
 * These tables are not part of a city build: rebuilding the city keeps them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { transaction } from './connection.ts';

export interface ScenarioRow {
  id: string;
  name: string;
  createdAt: string;
  version: number;
  head: number;
  editCount: number;
}

export async function ensureScenarioTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE TABLE IF NOT EXISTS scenarios (
      scenario_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, created_at TIMESTAMP DEFAULT current_timestamp,
      version INTEGER NOT NULL, head INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS scenario_edits (
      scenario_id VARCHAR NOT NULL, seq INTEGER NOT NULL, edit_json VARCHAR NOT NULL, PRIMARY KEY (scenario_id, seq));`);
}

const SELECT = `
  SELECT s.scenario_id AS id, s.name, strftime(s.created_at, '%Y-%m-%dT%H:%M:%SZ') AS "createdAt", s.version, s.head,
         (SELECT count(*)::INTEGER FROM scenario_edits e WHERE e.scenario_id = s.scenario_id) AS "editCount"
  FROM scenarios s`;

export async function listScenarios(conn: DuckDBConnection): Promise<ScenarioRow[]> {
  const r = await conn.runAndReadAll(`${SELECT} ORDER BY s.created_at, s.scenario_id`);
  return r.getRowObjectsJS() as unknown as ScenarioRow[];
}

export async function getScenario(conn: DuckDBConnection, id: string): Promise<ScenarioRow | null> {
  const r = await conn.runAndReadAll(`${SELECT} WHERE s.scenario_id = $id`, { id });
  return (r.getRowObjectsJS()[0] as unknown as ScenarioRow) ?? null;
}

/** Every stored edit of a scenario, in order (applied ones first: seq < head). */
export async function scenarioEdits(conn: DuckDBConnection, id: string): Promise<unknown[]> {
  const r = await conn.runAndReadAll('SELECT edit_json FROM scenario_edits WHERE scenario_id = $id ORDER BY seq', { id });
  return (r.getRowObjectsJS() as Array<{ edit_json: string }>).map((e) => JSON.parse(e.edit_json));
}

export async function insertScenario(conn: DuckDBConnection, id: string, name: string): Promise<void> {
  await conn.run('INSERT INTO scenarios (scenario_id, name, version, head) VALUES ($id, $name, 0, 0)', { id, name });
}

export async function renameScenario(conn: DuckDBConnection, id: string, name: string, version: number): Promise<void> {
  await inOneCall(conn, [`UPDATE scenarios SET name = ${text(name)}, version = ${int(version)} WHERE scenario_id = ${text(id)}`]);
}

export async function deleteScenario(conn: DuckDBConnection, id: string): Promise<void> {
  await transaction(conn, async () => {
    await conn.run('DELETE FROM scenario_edits WHERE scenario_id = $id', { id });
    await conn.run('DELETE FROM scenarios WHERE scenario_id = $id', { id });
  });
}

/** Append an edit at `seq` (dropping the redo stack from there) and move head past it, in one transaction. */
export async function appendEdit(conn: DuckDBConnection, id: string, seq: number, edit: unknown, version: number): Promise<void> {
  await inOneCall(conn, [
    `DELETE FROM scenario_edits WHERE scenario_id = ${text(id)} AND seq >= ${int(seq)}`,
    `INSERT INTO scenario_edits VALUES (${text(id)}, ${int(seq)}, ${text(JSON.stringify(edit))})`,
    `UPDATE scenarios SET head = ${int(seq + 1)}, version = ${int(version)} WHERE scenario_id = ${text(id)}`,
  ]);
}

/** Move head (undo / redo). */
export async function setHead(conn: DuckDBConnection, id: string, head: number, version: number): Promise<void> {
  await inOneCall(conn, [`UPDATE scenarios SET head = ${int(head)}, version = ${int(version)} WHERE scenario_id = ${text(id)}`]);
}

/**
 * Statements run as one transaction in ONE call. Every call is a round trip through libuv's thread
 * pool, and under load each waits its turn on the event loop behind other requests; a statement with
 * bound values costs three (extract, prepare, run), so an edit stored with them took eleven and was
 * acknowledged many times later than one stored in a single call. Values are therefore written as
 * literals, which `text` and `int` make exact.
 */
async function inOneCall(conn: DuckDBConnection, statements: string[]): Promise<void> {
  try {
    await conn.run(['BEGIN TRANSACTION', ...statements, 'COMMIT'].join(';\n'));
  } catch (err) {
    // a statement failed inside the transaction (or COMMIT did, which rolls back by itself)
    await conn.run('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** A SQL string literal: in DuckDB only the quote is special inside '…', and doubling it escapes it. */
function text(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL character cannot be stored as text');
  return `'${value.replaceAll("'", "''")}'`;
}

function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not an integer`);
  return String(value);
}
