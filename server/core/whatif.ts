/**
 * Coverage that follows edits. Every open station keeps its walkshed (the cells within the longest
 * tier at the fastest speed, and their metres); each cell keeps, per category, the metres to its
 * nearest station within that reach. Adding a station lowers the cells of its own walkshed;
 * removing one re-takes the minimum over the stations still reaching the cells it was nearest to.
 * An edit touches only its walkshed's cells, and its delta (residents and elderly newly covered
 * or lost, per category × tier × speed, city-wide and per community) is counted over those cells.
 *
 * Coverage at a tier is "metres ≤ tier × speed", as in stats.ts; distances beyond the walkshed
 * reach do not change whether a cell is covered at any tier, so this equals a full recompute.
 */
import type { Speeds } from './stats.ts';

/** A station's walkshed: cells (ascending) and metres. */
export interface Shed {
  cells: Int32Array;
  dist: Float64Array;
}

/** Demand per cell and its (cell, community) shares as CSR by cell. */
export interface LiveDemand {
  residents: ArrayLike<number>;
  elderly: ArrayLike<number>;
  /** `shareOffsets[c]..shareOffsets[c + 1]` are cell c's shares. */
  shareOffsets: Int32Array;
  shareCommunity: ArrayLike<number>;
  shareResidents: ArrayLike<number>;
  shareElderly: ArrayLike<number>;
  communityCount: number;
}

export interface DeltaRow {
  category: string;
  tierMin: number;
  speed: keyof Speeds;
  /** -1: the whole city. */
  community: number;
  residentsGained: number;
  residentsLost: number;
  elderlyGained: number;
  elderlyLost: number;
}

export interface CoveredRow {
  category: string;
  tierMin: number;
  speed: keyof Speeds;
  community: number;
  residentsCovered: number;
  elderlyCovered: number;
}

interface Station {
  category: number;
  shed: Shed;
}

export class LiveCoverage {
  private readonly best: Float64Array[];
  /** Per cell, the slots of the open stations whose walkshed holds it. */
  private readonly reaching: number[][];
  private readonly stations = new Map<number, Station>();
  /** Touched (category, cell) → metres before the current edit. */
  private before = new Map<number, number>();

  constructor(
    readonly categories: readonly string[],
    private readonly demand: LiveDemand,
    readonly tiers: readonly number[],
    readonly speeds: Speeds,
  ) {
    const n = demand.residents.length;
    this.best = categories.map(() => new Float64Array(n).fill(Infinity));
    this.reaching = Array.from({ length: n }, () => []);
  }

  get cellCount(): number {
    return this.demand.residents.length;
  }

  has(slot: number): boolean {
    return this.stations.has(slot);
  }

  /** Metres from cell to the nearest open station of category k within the walkshed reach (Infinity: none). */
  nearest(k: number, cell: number): number {
    return this.best[k][cell];
  }

  /** Open a station in slot `slot` (a free one) with its walkshed. */
  add(slot: number, category: number, shed: Shed): void {
    if (this.stations.has(slot)) throw new Error(`station slot ${slot} is taken`);
    this.stations.set(slot, { category, shed });
    const best = this.best[category];
    for (let i = 0; i < shed.cells.length; i++) {
      const c = shed.cells[i];
      this.reaching[c].push(slot);
      if (shed.dist[i] < best[c]) {
        this.touch(category, c);
        best[c] = shed.dist[i];
      }
    }
  }

  /** Close the station in `slot`. */
  remove(slot: number): void {
    const station = this.stations.get(slot);
    if (!station) throw new Error(`no station in slot ${slot}`);
    this.stations.delete(slot);
    const { category, shed } = station;
    const best = this.best[category];
    for (let i = 0; i < shed.cells.length; i++) {
      const c = shed.cells[i];
      const list = this.reaching[c];
      list.splice(list.indexOf(slot), 1);
      // only cells this station was nearest to can change
      if (shed.dist[i] > best[c]) continue;
      let m = Infinity;
      for (const other of list) {
        const s = this.stations.get(other)!;
        if (s.category !== category) continue;
        const d = distIn(s.shed, c);
        if (d < m) m = d;
      }
      if (m !== best[c]) {
        this.touch(category, c);
        best[c] = m;
      }
    }
  }

  private touch(k: number, c: number): void {
    const key = k * this.cellCount + c;
    if (!this.before.has(key)) this.before.set(key, this.best[k][c]);
  }

  /**
   * Residents and elderly gained and lost since the last call (one edit may be several add and
   * remove steps), per category × tier × speed, city-wide and per community; rows with no change
   * are left out.
   */
  takeDelta(): DeltaRow[] {
    const rows = new Map<string, DeltaRow>();
    const row = (category: string, tierMin: number, speed: keyof Speeds, community: number) => {
      const key = `${category}|${tierMin}|${speed}|${community}`;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { category, tierMin, speed, community, residentsGained: 0, residentsLost: 0, elderlyGained: 0, elderlyLost: 0 }));
      return r;
    };
    const { residents, elderly, shareOffsets, shareCommunity, shareResidents, shareElderly } = this.demand;
    const n = this.cellCount;
    for (const [key, was] of this.before) {
      const k = Math.floor(key / n);
      const c = key - k * n;
      const now = this.best[k][c];
      for (const speed of ['general', 'elderly'] as const) {
        for (const tierMin of this.tiers) {
          const reach = tierMin * this.speeds[speed];
          const a = was <= reach;
          const b = now <= reach;
          if (a === b) continue;
          const add = (r: DeltaRow, res: number, eld: number) => {
            if (b) {
              r.residentsGained += res;
              r.elderlyGained += eld;
            } else {
              r.residentsLost += res;
              r.elderlyLost += eld;
            }
          };
          if (residents[c] > 0 || elderly[c] > 0) add(row(this.categories[k], tierMin, speed, -1), residents[c], elderly[c]);
          for (let s = shareOffsets[c]; s < shareOffsets[c + 1]; s++) add(row(this.categories[k], tierMin, speed, shareCommunity[s]), shareResidents[s], shareElderly[s]);
        }
      }
    }
    this.before = new Map();
    return [...rows.values()].filter((r) => r.residentsGained || r.residentsLost || r.elderlyGained || r.elderlyLost);
  }

  /** Covered residents and elderly now, per category × tier × speed, city-wide (-1) and per community. */
  covered(): CoveredRow[] {
    const out: CoveredRow[] = [];
    const { residents, elderly, shareOffsets, shareCommunity, shareResidents, shareElderly, communityCount } = this.demand;
    this.categories.forEach((category, k) => {
      const best = this.best[k];
      for (const speed of ['general', 'elderly'] as const) {
        for (const tierMin of this.tiers) {
          const reach = tierMin * this.speeds[speed];
          const res = new Float64Array(communityCount + 1);
          const eld = new Float64Array(communityCount + 1);
          for (let c = 0; c < best.length; c++) {
            if (!(best[c] <= reach)) continue;
            res[0] += residents[c];
            eld[0] += elderly[c];
            for (let s = shareOffsets[c]; s < shareOffsets[c + 1]; s++) {
              res[shareCommunity[s] + 1] += shareResidents[s];
              eld[shareCommunity[s] + 1] += shareElderly[s];
            }
          }
          for (let i = 0; i <= communityCount; i++) out.push({ category, tierMin, speed, community: i - 1, residentsCovered: res[i], elderlyCovered: eld[i] });
        }
      }
    });
    return out;
  }
}

/** Metres of `cell` in a walkshed (binary search over its ascending cells); Infinity when absent. */
export function distIn(shed: Shed, cell: number): number {
  let lo = 0;
  let hi = shed.cells.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = shed.cells[mid];
    if (v === cell) return shed.dist[mid];
    if (v < cell) lo = mid + 1;
    else hi = mid - 1;
  }
  return Infinity;
}

/** CSR by cell from (cell, community) shares sorted by cell. */
export function sharesByCell(cellCount: number, shareCell: ArrayLike<number>): Int32Array {
  const offsets = new Int32Array(cellCount + 1);
  for (let s = 0; s < shareCell.length; s++) offsets[shareCell[s] + 1]++;
  for (let c = 0; c < cellCount; c++) offsets[c + 1] += offsets[c];
  for (let s = 1; s < shareCell.length; s++) if (shareCell[s] < shareCell[s - 1]) throw new Error('shares must be sorted by cell');
  return offsets;
}
