/**
 * Scenarios over the baseline city: stored edit logs (db/scenarios.ts) and their models in memory
 * (scenario.ts), rebuilt from the log when first used. Every change runs one at a time: it is
 * checked and computed against the model (`plan`), stored, and only then made in the model
 * (`commit`) and acknowledged. So the model always shows what is stored, and reads and previews
 * use it at once, without waiting behind changes being written. A change that names the version
 * it was based on gets 409 when the scenario has moved on since.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CityContext } from './context.ts';
import type { DeltaRow } from './core/whatif.ts';
import * as db from './db/scenarios.ts';
import { EditError, ScenarioModel, type Edit } from './scenario.ts';

export interface ScenarioInfo extends db.ScenarioRow {
  canUndo: boolean;
  canRedo: boolean;
}

/** A model at some head; `skipped` lists stored edits the current city no longer accepts. */
interface Entry {
  model: ScenarioModel;
  skipped: string[];
}

/** Whether the model has replayed the row's applied edits, no more, no fewer. */
const upTo = (entry: Entry, row: db.ScenarioRow) => entry.model.applied.length + entry.skipped.length === row.head;

/** Models kept in memory; older ones are rebuilt from their log when needed again. */
const CACHED = 8;

export class Scenarios {
  /** Models at their stored head, most recently used last. */
  private readonly models = new Map<string, Entry>();
  /**
   * Each scenario's row as last stored, so reads and previews cost no database round trip (each one
   * waits for the event loop behind every other request under load). Only this process writes the file.
   */
  private readonly rows = new Map<string, db.ScenarioRow>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly city: CityContext,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(city: CityContext, conn: DuckDBConnection): Promise<Scenarios> {
    await db.ensureScenarioTables(conn);
    return new Scenarios(city, conn);
  }

  /** Run changes one at a time: each sees the state the previous one left. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  async list(): Promise<ScenarioInfo[]> {
    return (await db.listScenarios(this.conn)).map(info);
  }

  async info(id: string): Promise<ScenarioInfo> {
    return info(await this.row(id));
  }

  create(name: string): Promise<ScenarioInfo> {
    return this.serial(async () => {
      const id = randomUUID().slice(0, 8);
      await db.insertScenario(this.conn, id, name);
      return info(await this.row(id));
    });
  }

  rename(id: string, name: string, baseVersion?: number): Promise<ScenarioInfo> {
    return this.serial(async () => {
      const row = await this.row(id);
      checkVersion(row, baseVersion);
      await this.stored(id, () => db.renameScenario(this.conn, id, name, row.version + 1));
      return info(this.moved(row, { name, version: row.version + 1 }));
    });
  }

  remove(id: string): Promise<void> {
    return this.serial(async () => {
      await this.row(id);
      await this.stored(id, () => db.deleteScenario(this.conn, id));
      this.models.delete(id);
      this.rows.delete(id);
    });
  }

  /** Apply and store an edit; answers with its delta. */
  edit(id: string, edit: Edit, baseVersion?: number): Promise<{ scenario: ScenarioInfo; delta: DeltaRow[] }> {
    return this.serial(async () => {
      const row = await this.row(id);
      checkVersion(row, baseVersion);
      const model = await this.model(row);
      const change = model.plan(edit, row.head);
      await this.stored(id, () => db.appendEdit(this.conn, id, row.head, edit, row.version + 1));
      const delta = model.commit(change);
      return { scenario: info(this.moved(row, { head: row.head + 1, editCount: row.head + 1, version: row.version + 1 })), delta };
    });
  }

  /** The delta an edit would make, without storing it (for live dragging). */
  async preview(id: string, edit: Edit): Promise<DeltaRow[]> {
    const { row, entry } = await this.loaded(id);
    return entry.model.preview(edit, row.head);
  }

  undo(id: string, baseVersion?: number): Promise<{ scenario: ScenarioInfo; delta: DeltaRow[] }> {
    return this.serial(async () => {
      const row = await this.row(id);
      checkVersion(row, baseVersion);
      if (row.head === 0) throw new EditError(409, 'nothing to undo', 'scenario');
      const model = await this.steppable(row);
      await this.stored(id, () => db.setHead(this.conn, id, row.head - 1, row.version + 1));
      const delta = model.undo();
      return { scenario: info(this.moved(row, { head: row.head - 1, version: row.version + 1 })), delta };
    });
  }

  redo(id: string, baseVersion?: number): Promise<{ scenario: ScenarioInfo; delta: DeltaRow[] }> {
    return this.serial(async () => {
      const row = await this.row(id);
      checkVersion(row, baseVersion);
      if (row.head >= row.editCount) throw new EditError(409, 'nothing to redo', 'scenario');
      const edits = await db.scenarioEdits(this.conn, id);
      const model = await this.steppable(row);
      const change = model.plan(edits[row.head] as Edit, row.head);
      await this.stored(id, () => db.setHead(this.conn, id, row.head + 1, row.version + 1));
      const delta = model.commit(change);
      return { scenario: info(this.moved(row, { head: row.head + 1, version: row.version + 1 })), delta };
    });
  }

  /** The scenario's model (read-only use: stations, coverage) and the stored edits its replay skipped. */
  async current(id: string): Promise<{ scenario: ScenarioInfo; model: ScenarioModel; skipped: string[] }> {
    const { row, entry } = await this.loaded(id);
    return { scenario: info(row), model: entry.model, skipped: entry.skipped };
  }

  /**
   * The stored row and its model, for reading: at once when both are in memory and agree (a change
   * being written has not touched the model yet); else read and rebuilt in turn with the changes,
   * so that no rebuild races one.
   */
  private async loaded(id: string): Promise<{ row: db.ScenarioRow; entry: Entry }> {
    const row = this.rows.get(id);
    const entry = this.models.get(id);
    if (row && entry && upTo(entry, row)) return { row, entry: this.used(id, entry) };
    return this.serial(async () => {
      const row = await this.row(id);
      return { row, entry: await this.entry(row) };
    });
  }

  /** Move a model to the end of the cache: most recently used last, evicted last. */
  private used(id: string, entry: Entry): Entry {
    this.models.delete(id);
    this.models.set(id, entry);
    return entry;
  }

  /**
   * Store a change; when that fails, forget the model and row, as what the store holds is no longer
   * certain: both are read from it again next time.
   */
  private async stored(id: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.models.delete(id);
      this.rows.delete(id);
      throw err;
    }
  }

  /** The row after a change that was stored. */
  private moved(row: db.ScenarioRow, change: Partial<db.ScenarioRow>): db.ScenarioRow {
    const next = { ...row, ...change };
    this.rows.set(row.id, next);
    return next;
  }

  private async row(id: string): Promise<db.ScenarioRow> {
    const cached = this.rows.get(id);
    if (cached) return cached;
    const row = await db.getScenario(this.conn, id);
    if (!row) throw new EditError(404, `no scenario "${id}"`, 'id');
    this.rows.set(id, row);
    return row;
  }

  /**
   * The model at the stored head: cached, or the baseline with the applied edits replayed. An
   * edit the city no longer accepts (a rebuild dropped its station) is skipped and reported.
   */
  private async model(row: db.ScenarioRow): Promise<ScenarioModel> {
    return (await this.entry(row)).model;
  }

  /** The model, for undo and redo: refused when replay skipped edits, as the steps would not line up. */
  private async steppable(row: db.ScenarioRow): Promise<ScenarioModel> {
    const { model, skipped } = await this.entry(row);
    if (skipped.length) throw new EditError(409, `scenario "${row.id}" has edits the rebuilt city no longer accepts (${skipped.join('; ')}): undo and redo are off; copy what you need into a new scenario`, 'scenario');
    return model;
  }

  private async entry(row: db.ScenarioRow): Promise<Entry> {
    let entry = this.models.get(row.id);
    if (entry && upTo(entry, row)) return this.used(row.id, entry);
    entry = { model: new ScenarioModel(this.city), skipped: [] as string[] };
    const edits = await db.scenarioEdits(this.conn, row.id);
    for (let seq = 0; seq < row.head; seq++) {
      try {
        entry.model.apply(edits[seq] as Edit, seq);
      } catch (err) {
        if (!(err instanceof EditError)) throw err;
        entry.skipped.push(`edit ${seq + 1}: ${err.message}`);
      }
    }
    this.models.set(row.id, entry);
    while (this.models.size > CACHED) this.models.delete(this.models.keys().next().value!);
    return entry;
  }
}

function info(row: db.ScenarioRow): ScenarioInfo {
  return { ...row, canUndo: row.head > 0, canRedo: row.head < row.editCount };
}

function checkVersion(row: db.ScenarioRow, baseVersion: number | undefined): void {
  if (baseVersion !== undefined && baseVersion !== row.version) {
    throw new EditError(409, `scenario "${row.id}" is at version ${row.version}, not ${baseVersion}: reload it and edit again`, 'baseVersion', { currentVersion: row.version });
  }
}
