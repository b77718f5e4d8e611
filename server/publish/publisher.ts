/**
 * Publishing: a view of the baseline or of a scenario (title, description, category, tier, speed)
 * turned into an immutable snapshot — its figures (snapshot.ts) and the files of its folder
 * (bundle.ts: the offline page, downloads, PNG map, PDF report) — stored in DuckDB in one
 * transaction and served read-only. Later edits to the scenario change nothing already published.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CityContext } from '../context.ts';
import * as db from '../db/snapshots.ts';
import { EditError, ScenarioModel } from '../scenario.ts';
import type { Scenarios } from '../scenarios.ts';
import { publishedFiles, type BasemapSource } from './bundle.ts';
import { ServedFiles, type ServedFile } from './served.ts';
import { buildSnapshot, type SnapshotRequest } from './snapshot.ts';

export interface PublishRequest extends SnapshotRequest {
  scenario: string | null;
}

/** Snapshot names become addresses (/p/<name>/) and file names: plain lowercase words only. */
export const SNAPSHOT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Published files (and their gzip) kept in memory for serving: a few maps' pages, scripts and data. */
const SERVED_BYTES = 64 * 1024 * 1024;

/** Steps of a publication, for progress lines. */
export type PublishProgress = (step: string, ms: number) => void;

export class Publisher {
  private queue: Promise<unknown> = Promise.resolve();
  #baseline: ScenarioModel | null = null;
  readonly #served: ServedFiles;

  private constructor(
    private readonly city: CityContext,
    private readonly conn: DuckDBConnection,
    private readonly scenarios: Scenarios | null,
    private readonly basemap: BasemapSource,
    private readonly log: PublishProgress,
  ) {
    this.#served = new ServedFiles((name, path) => db.snapshotFile(conn, name, path), SERVED_BYTES);
  }

  /**
   * `conn` should be a connection of its own: a publication's transaction must not interleave with
   * the scenarios' statements on a shared connection.
   */
  static async open(city: CityContext, conn: DuckDBConnection, scenarios: Scenarios | null, basemap: BasemapSource, log: PublishProgress = () => {}): Promise<Publisher> {
    await db.ensureSnapshotTables(conn);
    return new Publisher(city, conn, scenarios, basemap, log);
  }

  /** One publication or unpublication at a time: the name check and the insert must not interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  list() {
    return db.listSnapshots(this.conn);
  }

  data(name: string) {
    return db.snapshotData(this.conn, name);
  }

  files(name: string) {
    return db.snapshotFileList(this.conn, name);
  }

  file(name: string, path: string) {
    return db.snapshotFile(this.conn, name, path);
  }

  /** A file as served to viewers: kept in memory with its gzip while it is read often. */
  served(name: string, path: string): Promise<ServedFile | null> {
    return this.#served.get(name, path);
  }

  unpublish(name: string): Promise<void> {
    return this.serial(async () => {
      if (!(await db.hasSnapshot(this.conn, name))) throw new EditError(404, `name: no published map "${name}"`, 'name');
      await db.deleteSnapshot(this.conn, name);
      this.#served.drop(name);
    });
  }

  /** Publish; each step is reported to `progress` (default: the log given to open) with its milliseconds. */
  publish(req: PublishRequest, progress: PublishProgress = this.log): Promise<db.SnapshotRow> {
    return this.serial(async () => {
      if (await db.hasSnapshot(this.conn, req.name)) throw new EditError(409, `name: "${req.name}" is already published; unpublish it or choose another name`, 'name');
      let t = performance.now();
      const lap = (step: string) => {
        const now = performance.now();
        progress(step, now - t);
        t = now;
      };
      let snapshot;
      if (req.scenario) {
        if (!this.scenarios) throw new EditError(404, 'scenario: this server keeps no scenarios', 'scenario');
        const { scenario: info, model } = await this.scenarios.current(req.scenario);
        // no await between reading the model and copying it: no edit can land in between
        snapshot = buildSnapshot(this.city, model, { id: info.id, name: info.name, version: info.version }, req);
      } else {
        snapshot = buildSnapshot(this.city, (this.#baseline ??= new ScenarioModel(this.city)), null, req);
      }
      lap('snapshot');
      const dataJson = JSON.stringify(snapshot);
      const files = await publishedFiles(snapshot, dataJson, this.basemap, lap);
      await db.insertSnapshot(this.conn, { name: req.name, title: req.title, scenarioId: snapshot.scenario?.id ?? null, scenarioVersion: snapshot.scenario?.version ?? null, dataJson, files });
      lap('store');
      return (await db.listSnapshots(this.conn)).find((s) => s.name === req.name)!;
    });
  }
}
