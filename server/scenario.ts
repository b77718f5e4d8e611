/**
 * One scenario in memory: the baseline stations with the scenario's edits applied, and its live
 * coverage (core/whatif.ts). A station is an immutable record; every edit replaces one record by
 * another (or adds or drops one), so undoing an edit is putting the previous record back, and
 * both answer with the delta of exactly the cells the two walksheds touch.
 */
import type { CityContext } from './context.ts';
import { walksheds, type Placed } from './core/reach.ts';
import { LiveCoverage, sharesByCell, type DeltaRow, type Shed } from './core/whatif.ts';

export type Edit =
  | { op: 'add'; category: string; lon: number; lat: number; name?: string; capacity?: number | null }
  | { op: 'move'; station: string; lon: number; lat: number }
  | { op: 'remove'; station: string }
  | { op: 'close'; station: string }
  | { op: 'reopen'; station: string }
  | { op: 'capacity'; station: string; capacity: number | null }
  | { op: 'category'; station: string; category: string }
  | { op: 'merge'; units: string[]; name?: string; override?: boolean }
  | { op: 'unmerge'; joint: string }
  | { op: 'rename-joint'; joint: string; name: string }
  /** A facility list added at once: one edit, so it is stored, undone and redone whole. */
  | { op: 'import'; source: string; stations: ImportedStation[] };

export interface ImportedStation {
  category: string;
  lon: number;
  lat: number;
  name?: string;
  capacity?: number | null;
}

/** A joint community: member units (indices into the city's units) under one name. */
export interface Joint {
  id: string;
  name: string;
  units: number[];
}

export interface Station {
  id: string;
  name: string;
  category: string;
  lon: number;
  lat: number;
  capacity: number | null;
  /** Closed stations stay in the scenario but serve nobody. */
  open: boolean;
  /** Added by the scenario (not in the baseline). */
  added: boolean;
  /** Where it meets the street: edge (-1 none), metres along it, metres off it. */
  snap: { edge: number; offset: number; access: number };
  /** Cells within the walkshed reach and their metres (empty when it cannot be reached). */
  shed: Shed;
}

/** A refused edit: HTTP status, message and the field at fault. */
export class EditError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    message: string,
    readonly param: string,
    /** More for the client, merged into the error body (a stale change gets the current version). */
    readonly detail?: Record<string, string | number>,
  ) {
    super(message);
  }
}

/** What one applied edit changed: the record before and after, to undo it. */
type StationChange = { id: string; before: Station | null; after: Station | null };
export type Applied =
  | ({ kind: 'station' } & StationChange)
  | { kind: 'stations'; changes: StationChange[] }
  | { kind: 'joint'; id: string; before: Joint | null; after: Joint | null };

export class ScenarioModel {
  readonly stations = new Map<string, Station>();
  readonly joints = new Map<string, Joint>();
  readonly live: LiveCoverage;
  /** The applied edits' records, oldest first, for undo. */
  readonly applied: Applied[] = [];
  private readonly slots = new Map<string, number>();
  /** Where each station and joint first stood in its list; see `setInPlace`. */
  private readonly stationRank = new Map<string, number>();
  private readonly jointRank = new Map<string, number>();
  private nextSlot = 0;
  private readonly reachM: number;

  constructor(private readonly city: CityContext) {
    const { stored } = city;
    const { cells, shares, facilities, facilitySnap, walksheds: sheds } = stored;
    this.reachM = Math.max(...city.tiers) * Math.max(city.speeds.general, city.speeds.elderly);
    this.live = new LiveCoverage(
      stored.categories.map((c) => c.id),
      {
        residents: cells.residents,
        elderly: cells.elderly,
        shareOffsets: sharesByCell(cells.h3.length, shares.cell),
        shareCommunity: shares.community,
        shareResidents: shares.residents,
        shareElderly: shares.elderly,
        communityCount: stored.communities.length,
      },
      city.tiers,
      city.speeds,
    );
    facilities.forEach((f, i) => {
      const shed = { cells: sheds.cell.subarray(sheds.offsets[i], sheds.offsets[i + 1]), dist: sheds.dist.subarray(sheds.offsets[i], sheds.offsets[i + 1]) };
      const snap = { edge: facilitySnap.edge[i], offset: facilitySnap.offset[i], access: facilitySnap.access[i] };
      this.put(f.id, { id: f.id, name: f.name, category: f.category, lon: f.lon, lat: f.lat, capacity: f.capacity, open: true, added: false, snap, shed });
    });
    this.live.takeDelta(); // the baseline is the starting point, not a change
  }

  /**
   * Apply an edit as edit number `seq` of the scenario; returns its delta. Throws EditError, with
   * nothing changed, when the edit cannot apply.
   */
  apply(edit: Edit, seq: number): DeltaRow[] {
    return this.commit(this.plan(edit, seq));
  }

  /**
   * What an edit would change, validated and with its walksheds computed, changing nothing: the
   * server stores the edit between `plan` and `commit`, so readers never see one that is not stored.
   * Throws EditError when the edit cannot apply.
   */
  plan(edit: Edit, seq: number): Applied {
    if (edit.op === 'merge' || edit.op === 'unmerge' || edit.op === 'rename-joint') {
      const { id, after } = this.resolveJoint(edit, seq);
      return { kind: 'joint', id, before: this.joints.get(id) ?? null, after };
    }
    if (edit.op === 'import') {
      // every station is placed (and may be refused) before any is added: all of the list or none
      const changes = edit.stations.map((st, i) => {
        try {
          const id = `new-${seq + 1}-${i + 1}`;
          return { id, before: null, after: { ...this.resolve({ op: 'add', ...st }, seq).after!, id } };
        } catch (err) {
          if (!(err instanceof EditError)) throw err;
          const field = err.param.replace(/^edit\./, '');
          throw new EditError(err.status, `edit.stations.${i} (${st.name || `#${i + 1}`}): ${err.message.replace(/^[^:]*: /, '')}`, `edit.stations.${i}.${field}`);
        }
      });
      return { kind: 'stations', changes };
    }
    const { id, after } = this.resolve(edit, seq);
    return { kind: 'station', id, before: this.stations.get(id) ?? null, after };
  }

  /** Make a planned change, on the state it was planned on; returns its delta. */
  commit(change: Applied): DeltaRow[] {
    this.applied.push(change);
    if (change.kind === 'joint') {
      this.putJoint(change.id, change.after);
      return [];
    }
    if (change.kind === 'stations') for (const c of change.changes) this.put(c.id, c.after);
    else this.put(change.id, change.after);
    return this.live.takeDelta();
  }

  /** Undo the last applied edit; returns its delta. */
  undo(): DeltaRow[] {
    const last = this.applied.pop();
    if (!last) throw new EditError(409, 'nothing to undo', 'scenario');
    if (last.kind === 'joint') {
      this.putJoint(last.id, last.before);
      return [];
    }
    if (last.kind === 'stations') {
      for (const c of [...last.changes].reverse()) this.put(c.id, c.before);
      return this.live.takeDelta();
    }
    this.put(last.id, last.before);
    return this.live.takeDelta();
  }

  /** The delta an edit would make, leaving the scenario as it was. */
  preview(edit: Edit, seq: number): DeltaRow[] {
    const delta = this.apply(edit, seq);
    this.undo();
    return delta;
  }

  /** Replace (or add, or drop) the record of station `id`, keeping the live coverage in step. */
  private put(id: string, next: Station | null): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) {
      this.live.remove(slot);
      this.slots.delete(id);
    }
    if (!next) {
      this.stations.delete(id);
      return;
    }
    setInPlace(this.stations, this.stationRank, id, next);
    if (next.open) {
      const k = this.live.categories.indexOf(next.category);
      const s = this.nextSlot++;
      this.live.add(s, k, next.shed);
      this.slots.set(id, s);
    }
  }

  private putJoint(id: string, next: Joint | null): void {
    if (next) setInPlace(this.joints, this.jointRank, id, next);
    else this.joints.delete(id);
  }

  /** The joint community of a unit, if any. */
  jointOf(unit: number): Joint | null {
    for (const j of this.joints.values()) if (j.units.includes(unit)) return j;
    return null;
  }

  /** The joint record a merge, unmerge or rename leads to; validates before anything changes. */
  private resolveJoint(edit: Extract<Edit, { op: 'merge' | 'unmerge' | 'rename-joint' }>, seq: number): { id: string; after: Joint | null } {
    if (edit.op !== 'merge') {
      const current = this.joints.get(edit.joint);
      if (!current) throw new EditError(404, `edit.joint: no joint community "${edit.joint}" in this scenario`, 'edit.joint');
      return { id: current.id, after: edit.op === 'unmerge' ? null : { ...current, name: edit.name.trim() } };
    }
    const { joint } = this.city;
    if (edit.units.length < 2) throw new EditError(400, 'edit.units: a merge needs two or more units', 'edit.units');
    const seen = new Set<string>();
    const members = edit.units.map((uid, i) => {
      if (seen.has(uid)) throw new EditError(400, `edit.units.${i}: "${uid}" is listed twice`, `edit.units.${i}`);
      seen.add(uid);
      const u = joint.unitIndex.get(uid);
      if (u === undefined) throw new EditError(404, `edit.units.${i}: no community unit "${uid}"`, `edit.units.${i}`);
      const already = this.jointOf(u);
      if (already) throw new EditError(409, `edit.units.${i}: "${uid}" is already in joint community "${already.name}" (${already.id}); unmerge it first`, `edit.units.${i}`);
      return u;
    });
    if (!edit.override && !joint.check(members).contiguous) {
      throw new EditError(400, 'edit.units: the units do not form one contiguous area; set "override": true to merge them anyway', 'edit.units');
    }
    const id = `joint-${seq + 1}`;
    const name = edit.name?.trim() || `${this.city.stored.units[members[0]].name} +${members.length - 1}`;
    return { id, after: { id, name, units: members.sort((a, b) => a - b) } };
  }

  /** The station record an edit leads to; validates everything before anything changes. */
  private resolve(edit: Exclude<Edit, { op: 'merge' | 'unmerge' | 'rename-joint' | 'import' }>, seq: number): { id: string; after: Station | null } {
    if (edit.op === 'add') {
      this.checkCategory(edit.category);
      const id = `new-${seq + 1}`;
      const placed = this.place(edit.lon, edit.lat);
      const name = edit.name?.trim() || `new ${this.city.stored.categories.find((c) => c.id === edit.category)!.en} ${seq + 1}`;
      return { id, after: { id, name, category: edit.category, capacity: edit.capacity ?? null, open: true, added: true, ...placed } };
    }
    const current = this.stations.get(edit.station);
    if (!current) throw new EditError(404, `edit.station: no station "${edit.station}" in this scenario`, 'edit.station');
    switch (edit.op) {
      case 'move':
        return { id: current.id, after: { ...current, ...this.place(edit.lon, edit.lat) } };
      case 'remove':
        return { id: current.id, after: null };
      case 'close':
        if (!current.open) throw new EditError(409, `edit.station: "${current.id}" is already closed`, 'edit.station');
        return { id: current.id, after: { ...current, open: false } };
      case 'reopen':
        if (current.open) throw new EditError(409, `edit.station: "${current.id}" is open`, 'edit.station');
        return { id: current.id, after: { ...current, open: true } };
      case 'capacity':
        return { id: current.id, after: { ...current, capacity: edit.capacity } };
      case 'category':
        this.checkCategory(edit.category);
        return { id: current.id, after: { ...current, category: edit.category } };
    }
  }

  private checkCategory(category: string): void {
    if (!this.live.categories.includes(category)) {
      throw new EditError(400, `edit.category: unknown category "${category}"; known: ${this.live.categories.join(', ')}`, 'edit.category');
    }
  }

  /** Snap a point in the city to its street and walk from it. */
  private place(lon: number, lat: number): Pick<Station, 'lon' | 'lat' | 'snap' | 'shed'> {
    const [w, s, e, n] = this.city.bbox;
    if (!(lon >= w && lon <= e)) throw new EditError(400, `edit.lon: ${lon} lies outside the city (${w.toFixed(4)}–${e.toFixed(4)})`, 'edit.lon');
    if (!(lat >= s && lat <= n)) throw new EditError(400, `edit.lat: ${lat} lies outside the city (${s.toFixed(4)}–${n.toFixed(4)})`, 'edit.lat');
    const snapped = this.city.edgeIndex.snapAll([lon], [lat]);
    if (snapped.edge[0] < 0) throw new EditError(422, `edit.lon, edit.lat: no walkable street within ${this.city.maxSnapM} m of the point`, 'edit.lon');
    const access = this.city.countAccess ? snapped.distance[0] : 0;
    const placed: Placed = { edge: snapped.edge, offset: snapped.offset, access: Float64Array.of(access) };
    const out = walksheds(this.city.graph, placed, this.city.cellsPlaced, this.city.cellsOnEdge, this.reachM);
    return { lon, lat, snap: { edge: snapped.edge[0], offset: snapped.offset[0], access }, shed: { cells: out.target, dist: out.dist } };
  }
}

/**
 * Set `key` in `map` where it first stood. A replaced key keeps its place anyway (Map.set on a key it
 * has); one that comes back after being dropped (an undone removal or unmerge, or the undo behind
 * every preview) would go to the end, so the list is put back in first-seen order. That rebuild is
 * linear, and only happens when a dropped key returns.
 */
function setInPlace<V>(map: Map<string, V>, rank: Map<string, number>, key: string, value: V): void {
  if (!rank.has(key)) rank.set(key, rank.size);
  const returning = !map.has(key) && rank.get(key)! < rank.size - 1;
  map.set(key, value);
  if (!returning) return;
  const entries = [...map].sort((a, b) => rank.get(a[0])! - rank.get(b[0])!);
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}
