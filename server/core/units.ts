/**
 * Community units where only coarse boundaries exist: each boundary's demand cells split into
 * contiguous units of a resident range (社区, about 5,000–12,000 residents), preferring to cut
 * along major roads and water.
 *
 * Per connected piece of a boundary: k units, as many as the range allows around its middle;
 * seeds spread by farthest-point sampling from the most populated cell; then balanced region
 * growing — the unit with the fewest residents takes its cheapest frontier cell, where each step
 * costs 1 and crossing a barrier (a major road or water between two cells' centres) costs
 * `barrierCost` more — so units stay contiguous, grow evenly, and meet along barriers where they
 * can. Then a repair pass moves border cells from units over the range to neighbours with room,
 * and into units under it from neighbours that can spare them, never breaking a unit apart.
 * Units still outside the range (a piece too small, a single cell too dense) are reported, not forced.
 */

export interface UnitInput {
  /** The boundary's cells (global indices). */
  cells: number[];
  /** Residents per cell (global). */
  residents: ArrayLike<number>;
  /** Cell centres (global), for spreading seeds. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Neighbours of a cell (global indices; others are ignored). */
  neighbours: (cell: number) => number[];
  /** Whether walking from cell a to neighbour b crosses a barrier. */
  barrier: (a: number, b: number) => boolean;
}

export interface UnitOptions {
  minResidents: number;
  maxResidents: number;
  /** Extra cost of crossing a barrier, in cell steps. */
  barrierCost: number;
}

/** Units as lists of cells, each contiguous. */
export function deriveUnits(input: UnitInput, opts: UnitOptions): number[][] {
  const out: number[][] = [];
  for (const piece of pieces(input)) out.push(...splitPiece(piece, input, opts));
  return out;
}

/** Connected pieces of the boundary's cells (by cell adjacency within the boundary), in cell order. */
function pieces(input: UnitInput): number[][] {
  const inside = new Set(input.cells);
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const start of [...input.cells].sort((a, b) => a - b)) {
    if (seen.has(start)) continue;
    const piece = [start];
    seen.add(start);
    for (let i = 0; i < piece.length; i++) {
      for (const n of input.neighbours(piece[i])) {
        if (inside.has(n) && !seen.has(n)) {
          seen.add(n);
          piece.push(n);
        }
      }
    }
    out.push(piece);
  }
  return out;
}

/** How many units a piece of `total` residents makes: near the range's middle, within it when possible. */
export function unitCount(total: number, min: number, max: number): number {
  const fewest = Math.max(1, Math.ceil(total / max));
  const most = Math.max(1, Math.floor(total / min));
  const middle = Math.max(1, Math.round(total / ((min + max) / 2)));
  if (fewest > most) return fewest;
  return Math.min(most, Math.max(fewest, middle));
}

function splitPiece(piece: number[], input: UnitInput, opts: UnitOptions): number[][] {
  const { residents, x, y } = input;
  let total = 0;
  for (const c of piece) total += residents[c];
  const k = Math.min(piece.length, unitCount(total, opts.minResidents, opts.maxResidents));
  if (k <= 1) return [piece];
  // seeds: the most populated cell, then each time the cell farthest from every seed so far
  const seeds = [piece.reduce((best, c) => (residents[c] > residents[best] || (residents[c] === residents[best] && c < best) ? c : best), piece[0])];
  const nearest = new Map(piece.map((c) => [c, Infinity]));
  while (seeds.length < k) {
    const s = seeds[seeds.length - 1];
    let far = -1;
    let farD = -1;
    for (const c of piece) {
      const d = Math.min(nearest.get(c)!, (x[c] - x[s]) ** 2 + (y[c] - y[s]) ** 2);
      nearest.set(c, d);
      if (d > farD || (d === farD && c < far)) ((far = c), (farD = d));
    }
    seeds.push(far);
  }
  return repair(grow(piece, seeds, input, opts), input, opts);
}

/**
 * Move border cells between neighbouring units of a piece to bring units into the range: out of
 * units over it, into units under it, only when the giving unit stays contiguous and neither unit
 * ends up further outside the range than it was. Stops when a full pass moves nothing.
 */
function repair(units: number[][], input: UnitInput, opts: UnitOptions): number[][] {
  const { residents } = input;
  const { minResidents: min, maxResidents: max } = opts;
  const owner = new Map<number, number>();
  units.forEach((u, i) => u.forEach((c) => owner.set(c, i)));
  const members = units.map((u) => new Set(u));
  const people = units.map((u) => u.reduce((a, c) => a + residents[c], 0));
  // how far outside the range a population is
  const miss = (p: number) => (p < min ? min - p : p > max ? p - max : 0);
  const move = (cell: number, from: number, to: number) => {
    members[from].delete(cell);
    members[to].add(cell);
    owner.set(cell, to);
    people[from] -= residents[cell];
    people[to] += residents[cell];
  };
  for (let pass = 0; pass < 50; pass++) {
    let moved = false;
    for (let u = 0; u < units.length; u++) {
      if (!miss(people[u])) continue;
      const over = people[u] > max;
      // border cells of u and the neighbouring units across them
      for (const cell of [...members[u]].sort((a, b) => a - b)) {
        for (const n of input.neighbours(cell)) {
          const v = owner.get(n);
          if (v === undefined || v === u) continue;
          const [from, to, c] = over ? [u, v, cell] : [v, u, n];
          const r = residents[c];
          if (r === 0 && !over) continue;
          const before = miss(people[from]) + miss(people[to]);
          const after = miss(people[from] - r) + miss(people[to] + r);
          if (after >= before || members[from].size <= 1 || !staysWhole(members[from], c, input)) continue;
          move(c, from, to);
          moved = true;
          break;
        }
        if (!miss(people[u])) break;
      }
    }
    if (!moved) break;
  }
  return members.map((m) => [...m].sort((a, b) => a - b));
}

/** Whether a unit without `cell` is still one contiguous piece. */
function staysWhole(unit: Set<number>, cell: number, input: UnitInput): boolean {
  const start = [...unit].find((c) => c !== cell);
  if (start === undefined) return false;
  const seen = new Set([start, cell]);
  const stack = [start];
  while (stack.length) {
    for (const n of input.neighbours(stack.pop()!)) {
      if (unit.has(n) && !seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen.size === unit.size;
}

/** Balanced region growing from the seeds; every cell of the piece ends in exactly one unit. */
function grow(piece: number[], seeds: number[], input: UnitInput, opts: UnitOptions): number[][] {
  const inside = new Set(piece);
  const owner = new Map<number, number>();
  const units = seeds.map((s) => [s]);
  const people = seeds.map((s) => input.residents[s]);
  // per unit a frontier heap of [cost, cell]
  const frontier: Array<Array<[number, number]>> = seeds.map(() => []);
  const push = (u: number, cost: number, cell: number) => heapPush(frontier[u], [cost, cell]);
  const expand = (u: number, cell: number, cost: number) => {
    for (const n of input.neighbours(cell)) {
      if (inside.has(n) && !owner.has(n)) push(u, cost + 1 + (input.barrier(cell, n) ? opts.barrierCost : 0), n);
    }
  };
  seeds.forEach((s, u) => owner.set(s, u));
  seeds.forEach((s, u) => expand(u, s, 0));
  let assigned = seeds.length;
  while (assigned < piece.length) {
    // the unit with the fewest residents that can still grow takes its cheapest free frontier cell
    let pick = -1;
    for (let u = 0; u < units.length; u++) {
      const f = frontier[u];
      while (f.length && owner.has(f[0][1])) heapPop(f);
      if (!f.length) continue;
      if (pick < 0 || people[u] < people[pick] || (people[u] === people[pick] && f[0][0] < frontier[pick][0][0])) pick = u;
    }
    if (pick < 0) break; // cannot happen in a connected piece
    const [c0, cell] = heapPop(frontier[pick]);
    owner.set(cell, pick);
    units[pick].push(cell);
    people[pick] += input.residents[cell];
    assigned++;
    expand(pick, cell, c0);
  }
  return units.map((u) => u.sort((a, b) => a - b));
}

function heapPush(h: Array<[number, number]>, item: [number, number]): void {
  h.push(item);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (less(h[p], h[i])) break;
    [h[p], h[i]] = [h[i], h[p]];
    i = p;
  }
}

function heapPop(h: Array<[number, number]>): [number, number] {
  const top = h[0];
  const last = h.pop()!;
  if (h.length) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l], h[m])) m = l;
      if (r < h.length && less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
  return top;
}

/** Lower cost first; ties to the lower cell index, so the split is reproducible. */
const less = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

export interface CommunityUnit {
  /** The community (boundary) the unit lies in. */
  community: number;
  /** Split from a coarse boundary (true), or the community as given (false). */
  derived: boolean;
  /** 1-based number within its community, north-west first. */
  number: number;
  cells: number[];
  residents: number;
  elderly: number;
}

/**
 * Community units of a city: each demand cell belongs to the community holding most of its
 * residents; communities marked `split` (coarse boundaries) are cut into units by
 * {@link deriveUnits}, the others stay whole. Returns the units and each cell's unit (-1: none).
 */
export function communityUnits(input: {
  communityCount: number;
  split: (community: number) => boolean;
  cellCount: number;
  residents: ArrayLike<number>;
  elderly: ArrayLike<number>;
  lon: ArrayLike<number>;
  lat: ArrayLike<number>;
  shares: { cell: ArrayLike<number>; community: ArrayLike<number>; residents: ArrayLike<number> };
  neighbours: { offsets: Int32Array; items: Int32Array };
  barrier: (a: number, b: number) => boolean;
}, opts: UnitOptions): { units: CommunityUnit[]; cellUnit: Int32Array } {
  const { shares, neighbours } = input;
  // each cell to the community holding most of its residents (the first on ties)
  const owner = new Int32Array(input.cellCount).fill(-1);
  const most = new Float64Array(input.cellCount).fill(-1);
  for (let s = 0; s < shares.cell.length; s++) {
    const c = shares.cell[s];
    if (shares.residents[s] > most[c]) {
      most[c] = shares.residents[s];
      owner[c] = shares.community[s];
    }
  }
  const byCommunity: number[][] = Array.from({ length: input.communityCount }, () => []);
  owner.forEach((k, c) => k >= 0 && byCommunity[k].push(c));
  const unitInput = {
    residents: input.residents,
    x: input.lon,
    y: input.lat,
    neighbours: (c: number) => Array.from(neighbours.items.subarray(neighbours.offsets[c], neighbours.offsets[c + 1])),
    barrier: input.barrier,
  };
  const units: CommunityUnit[] = [];
  byCommunity.forEach((cells, community) => {
    if (!cells.length) return;
    const split = input.split(community);
    const parts = split ? deriveUnits({ ...unitInput, cells }, opts) : [cells];
    // north-west first: by the mean centre, latitude descending then longitude
    const centre = (p: number[]) => [p.reduce((a, c) => a + input.lat[c], 0) / p.length, p.reduce((a, c) => a + input.lon[c], 0) / p.length];
    const ordered = parts.map((p) => ({ p, c: centre(p) })).sort((a, b) => b.c[0] - a.c[0] || a.c[1] - b.c[1]);
    ordered.forEach(({ p }, i) => {
      let residents = 0;
      let elderly = 0;
      for (const c of p) {
        residents += input.residents[c];
        elderly += input.elderly[c];
      }
      units.push({ community, derived: split, number: i + 1, cells: p, residents, elderly });
    });
  });
  const cellUnit = new Int32Array(input.cellCount).fill(-1);
  units.forEach((u, i) => u.cells.forEach((c) => (cellUnit[c] = i)));
  return { units, cellUnit };
}
