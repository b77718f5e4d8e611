/**
 * Publishing: a view of the baseline or of a scenario (title, description, category, tier, speed)
 * turned into an immutable snapshot — every figure a viewer needs copied at that moment, so later
 * edits to the scenario change nothing already published — stored in DuckDB and served read-only.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CityContext } from './context.ts';
import * as db from './db/snapshots.ts';
import { jointStats } from './joint.ts';
import { EditError } from './scenario.ts';
import type { Scenarios } from './scenarios.ts';

export interface PublishRequest {
  name: string;
  title: string;
  description: string;
  scenario: string | null;
  view: { category: string; tier: number; speed: 'general' | 'elderly' };
}

/** Snapshot names become addresses (/p/<name>) and file names: plain lowercase words only. */
export const SNAPSHOT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class Publisher {
  private constructor(
    private readonly city: CityContext,
    private readonly conn: DuckDBConnection,
    private readonly scenarios: Scenarios | null,
  ) {}

  static async open(city: CityContext, conn: DuckDBConnection, scenarios: Scenarios | null): Promise<Publisher> {
    await db.ensureSnapshotTables(conn);
    return new Publisher(city, conn, scenarios);
  }

  list() {
    return db.listSnapshots(this.conn);
  }

  data(name: string) {
    return db.snapshotData(this.conn, name);
  }

  async unpublish(name: string): Promise<void> {
    if (!(await db.hasSnapshot(this.conn, name))) throw new EditError(404, `name: no published map "${name}"`, 'name');
    await db.deleteSnapshot(this.conn, name);
  }

  async publish(req: PublishRequest): Promise<db.SnapshotRow> {
    if (await db.hasSnapshot(this.conn, req.name)) throw new EditError(409, `name: "${req.name}" is already published; unpublish it or choose another name`, 'name');
    const { stored } = this.city;
    const k = stored.categories.findIndex((c) => c.id === req.view.category);
    let scenario: { id: string; name: string; version: number } | null = null;
    /** Metres from each cell to the nearest station of the view's category (Infinity: none in reach). */
    let metres: (c: number) => number;
    let joints: unknown[] = [];
    let stations: Array<{ id: string; name: string; category: string; lon: number; lat: number; open: boolean; added: boolean }>;
    if (req.scenario) {
      if (!this.scenarios) throw new EditError(404, 'scenario: this server keeps no scenarios', 'scenario');
      const { scenario: info, model } = await this.scenarios.current(req.scenario);
      scenario = { id: info.id, name: info.name, version: info.version };
      metres = (c) => model.live.nearest(k, c);
      joints = [...model.joints.values()].map((j) => jointStats(this.city, model, j));
      stations = [...model.stations.values()].map((s) => ({ id: s.id, name: s.name, category: s.category, lon: s.lon, lat: s.lat, open: s.open, added: s.added }));
    } else {
      const near = stored.nearest.get(req.view.category)!;
      metres = (c) => near.dist[c];
      stations = stored.facilities.map((f) => ({ id: f.id, name: f.name, category: f.category, lon: f.lon, lat: f.lat, open: true, added: false }));
    }
    const reach = req.view.tier * this.city.speeds[req.view.speed];
    // coverage for the view, counted on the unrounded metres as the server counts it
    const total = { residents: 0, elderly: 0, residentsCovered: 0, elderlyCovered: 0 };
    for (let c = 0; c < stored.cells.h3.length; c++) {
      total.residents += stored.cells.residents[c];
      total.elderly += stored.cells.elderly[c];
      if (metres(c) <= reach) {
        total.residentsCovered += stored.cells.residents[c];
        total.elderlyCovered += stored.cells.elderly[c];
      }
    }
    const perCommunity = stored.communities.map((m) => ({ id: m.id, name: m.name, residents: 0, elderly: 0, residentsCovered: 0, elderlyCovered: 0 }));
    const { shares } = stored;
    for (let s = 0; s < shares.cell.length; s++) {
      const row = perCommunity[shares.community[s]];
      row.residents += shares.residents[s];
      row.elderly += shares.elderly[s];
      if (metres(shares.cell[s]) <= reach) {
        row.residentsCovered += shares.residents[s];
        row.elderlyCovered += shares.elderly[s];
      }
    }
    const data = {
      name: req.name,
      title: req.title,
      description: req.description,
      publishedAt: new Date().toISOString(),
      scenario,
      view: { ...req.view, speedMPerMin: this.city.speeds[req.view.speed], tiers: this.city.tiers },
      attribution: '© OpenStreetMap contributors',
      category: stored.categories[k],
      cells: {
        h3: stored.cells.h3, residents: Array.from(stored.cells.residents), elderly: Array.from(stored.cells.elderly),
        distM: stored.cells.h3.map((_, c) => (Number.isFinite(metres(c)) ? Math.round(metres(c)) : null)),
      },
      coverage: total,
      communities: perCommunity,
      stations: stations.filter((s) => s.category === req.view.category),
      joints,
    };
    await db.insertSnapshot(this.conn, { name: req.name, title: req.title, scenarioId: scenario?.id ?? null, scenarioVersion: scenario?.version ?? null, dataJson: JSON.stringify(data) });
    return (await db.listSnapshots(this.conn)).find((s) => s.name === req.name)!;
  }
}
