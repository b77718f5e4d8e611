/**
 * Gaps: populated cells outside a tier's walk, grouped into clusters of touching H3 cells so a
 * planner sees "this neighbourhood of 1,200 elderly has no day care within 10 minutes".
 */
import { gridDisk } from 'h3-js';

/** CSR of each cell's neighbours among the given cells (H3 ring 1). */
export function cellNeighbours(cells: string[]): { offsets: Int32Array; items: Int32Array } {
  const index = new Map<string, number>();
  cells.forEach((c, i) => index.set(c, i));
  const offsets = new Int32Array(cells.length + 1);
  const items: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    for (const n of gridDisk(cells[i], 1)) {
      const j = index.get(n);
      if (j !== undefined && j !== i) items.push(j);
    }
    offsets[i + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items) };
}

export interface GapCluster {
  /** Cell indices in the cluster, ascending. */
  cells: number[];
  residents: number;
  elderly: number;
  /** Elderly-weighted centre (residents-weighted where there are no elderly). */
  lon: number;
  lat: number;
}

/** What gap clustering needs of the grid: adjacency, demand and cell centres, all per cell. */
export interface GapGrid {
  neighbours: { offsets: Int32Array; items: Int32Array };
  residents: ArrayLike<number>;
  elderly: ArrayLike<number>;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
}

/**
 * Connected clusters of gap cells. A cell is a gap when it has weight (residents or elderly, as
 * chosen by the caller) and its nearest facility is farther than `reachM` metres.
 * Clusters come largest-elderly first.
 */
export function gapClusters(grid: GapGrid, nearestDist: Float64Array, reachM: number, weight: ArrayLike<number>): GapCluster[] {
  const { neighbours, residents, elderly, lon, lat } = grid;
  const n = nearestDist.length;
  const isGap = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (weight[i] > 0 && !(nearestDist[i] <= reachM)) isGap[i] = 1;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const clusters: GapCluster[] = [];
  for (let s = 0; s < n; s++) {
    if (!isGap[s] || seen[s]) continue;
    const members: number[] = [];
    let top = 0;
    stack[top++] = s;
    seen[s] = 1;
    while (top > 0) {
      const u = stack[--top];
      members.push(u);
      for (let k = neighbours.offsets[u]; k < neighbours.offsets[u + 1]; k++) {
        const v = neighbours.items[k];
        if (isGap[v] && !seen[v]) {
          seen[v] = 1;
          stack[top++] = v;
        }
      }
    }
    members.sort((a, b) => a - b);
    let res = 0;
    let eld = 0;
    for (const c of members) {
      res += residents[c];
      eld += elderly[c];
    }
    let wx = 0;
    let wy = 0;
    let wsum = 0;
    for (const c of members) {
      const w = eld > 0 ? elderly[c] : residents[c];
      wx += lon[c] * w;
      wy += lat[c] * w;
      wsum += w;
    }
    clusters.push({ cells: members, residents: res, elderly: eld, lon: wx / wsum, lat: wy / wsum });
  }
  clusters.sort((a, b) => b.elderly - a.elderly || b.residents - a.residents || a.cells[0] - b.cells[0]);
  return clusters;
}
