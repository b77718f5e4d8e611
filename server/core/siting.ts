/**
 * Where to put new stations: covering problems over demand points (cells' uncovered residents or
 * elderly) and candidate sites, each candidate covering the demand within the tier's walk.
 *
 * - maximal covering (Church & ReVelle 1974): the most demand covered by p new stations;
 * - set covering: the fewest new stations to cover a target amount of demand;
 * - capacitated maximal covering: a station serves at most its capacity.
 *
 * Greedy answers use lazy evaluation (Minoux 1978; "CELF", Leskovec et al. 2007): coverage is
 * submodular, so a candidate's gain can only fall as stations are added, and a stale gain on top of
 * the heap is recomputed instead of every gain every round. The greedy choice of p sites is then
 * improved by interchange (Teitz & Bart 1968): swap a chosen site for another while that covers
 * more. Exact answers are in siting-exact.ts.
 */

/** Demand weights and, per candidate, the demand points it covers (CSR, ascending, no repeats). */
export interface CoverInstance {
  weight: Float64Array;
  offsets: Int32Array;
  items: Int32Array;
  /** Per candidate, metres to each covered point (parallel to `items`); used to serve nearest first. */
  dist?: Float64Array;
}

export interface GreedyResult {
  /** Candidates in the order chosen. */
  chosen: number[];
  /** Demand each choice added. */
  gains: number[];
  covered: number;
}

/** Max-heap of candidates by gain, with the round each gain was computed in. */
class GainHeap {
  private keys: number[] = [];
  private ids: number[] = [];
  private rounds: number[] = [];

  get size(): number {
    return this.ids.length;
  }

  push(gain: number, id: number, round: number): void {
    this.keys.push(gain);
    this.ids.push(id);
    this.rounds.push(round);
    let i = this.ids.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { gain: number; id: number; round: number } {
    const top = { gain: this.keys[0], id: this.ids[0], round: this.rounds[0] };
    const last = this.ids.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.ids.pop();
    this.rounds.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.ids.length && this.before(l, m)) m = l;
      if (r < this.ids.length && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  /** Higher gain first; ties to the lower candidate index, so answers are reproducible. */
  private before(a: number, b: number): boolean {
    return this.keys[a] > this.keys[b] || (this.keys[a] === this.keys[b] && this.ids[a] < this.ids[b]);
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
    [this.rounds[a], this.rounds[b]] = [this.rounds[b], this.rounds[a]];
  }
}

/**
 * Lazy greedy covering: add the candidate of largest gain until `stop` says enough (or no
 * candidate gains anything). `serve(j, remaining)` takes demand from `remaining` and returns how
 * much; `gainOf(j, remaining)` says how much it would take.
 */
function lazyGreedy(
  inst: CoverInstance,
  gainOf: (j: number, remaining: Float64Array) => number,
  serve: (j: number, remaining: Float64Array) => number,
  stop: (chosen: number, covered: number) => boolean,
): GreedyResult {
  const remaining = Float64Array.from(inst.weight);
  const heap = new GainHeap();
  const candidates = inst.offsets.length - 1;
  for (let j = 0; j < candidates; j++) {
    const g = gainOf(j, remaining);
    if (g > 0) heap.push(g, j, 0);
  }
  const out: GreedyResult = { chosen: [], gains: [], covered: 0 };
  let round = 0;
  while (heap.size && !stop(out.chosen.length, out.covered)) {
    const top = heap.pop();
    if (top.round !== round) {
      const g = gainOf(top.id, remaining);
      if (g > 0) heap.push(g, top.id, round);
      continue;
    }
    const gained = serve(top.id, remaining);
    out.chosen.push(top.id);
    out.gains.push(gained);
    out.covered += gained;
    round++;
  }
  return out;
}

/** Uncovered demand a candidate covers. */
function coverGain(inst: CoverInstance) {
  return (j: number, remaining: Float64Array) => {
    let g = 0;
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) g += remaining[inst.items[k]];
    return g;
  };
}

function coverServe(inst: CoverInstance) {
  return (j: number, remaining: Float64Array) => {
    let g = 0;
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) {
      g += remaining[inst.items[k]];
      remaining[inst.items[k]] = 0;
    }
    return g;
  };
}

/** Maximal covering, greedy: p stations. */
export function greedyMaxCover(inst: CoverInstance, p: number): GreedyResult {
  return lazyGreedy(inst, coverGain(inst), coverServe(inst), (n) => n >= p);
}

/**
 * Interchange: while some chosen site can be swapped for an unchosen one that covers more, make the
 * best such swap for each chosen site in turn. Ends at a local optimum (no single swap gains).
 * Gains per site are recounted on the final choice, in order.
 */
export function improveBySwaps(inst: CoverInstance, start: GreedyResult): GreedyResult {
  const n = inst.offsets.length - 1;
  const chosen = [...start.chosen];
  const isChosen = new Uint8Array(n);
  for (const j of chosen) isChosen[j] = 1;
  const count = new Int32Array(inst.weight.length);
  const cover = (j: number, d: number) => {
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) count[inst.items[k]] += d;
  };
  for (const j of chosen) cover(j, 1);
  const EPS = 1e-9;
  for (let improved = true; improved; ) {
    improved = false;
    for (let a = 0; a < chosen.length; a++) {
      const j = chosen[a];
      cover(j, -1);
      let loss = 0;
      for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) if (count[inst.items[k]] === 0) loss += inst.weight[inst.items[k]];
      let best = j;
      let bestGain = loss;
      for (let c = 0; c < n; c++) {
        if (isChosen[c]) continue;
        let g = 0;
        for (let k = inst.offsets[c]; k < inst.offsets[c + 1]; k++) if (count[inst.items[k]] === 0) g += inst.weight[inst.items[k]];
        if (g > bestGain + EPS) ((best = c), (bestGain = g));
      }
      if (best !== j) {
        isChosen[j] = 0;
        isChosen[best] = 1;
        chosen[a] = best;
        improved = true;
      }
      cover(chosen[a], 1);
    }
  }
  // gains in order, as each site adds to the ones before it
  const remaining = Float64Array.from(inst.weight);
  const out: GreedyResult = { chosen, gains: [], covered: 0 };
  for (const j of chosen) {
    let g = 0;
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) {
      g += remaining[inst.items[k]];
      remaining[inst.items[k]] = 0;
    }
    out.gains.push(g);
    out.covered += g;
  }
  return out;
}

/** Set covering, greedy: stations until `target` demand is covered (check feasibility first: {@link coverable}). */
export function greedySetCover(inst: CoverInstance, target: number): GreedyResult {
  return lazyGreedy(inst, coverGain(inst), coverServe(inst), (_, covered) => covered >= target - 1e-9);
}

/** The most demand any number of candidates can cover: the demand some candidate reaches. */
export function coverable(inst: CoverInstance): number {
  const reached = new Uint8Array(inst.weight.length);
  for (const i of inst.items) reached[i] = 1;
  let total = 0;
  for (let i = 0; i < inst.weight.length; i++) if (reached[i]) total += inst.weight[i];
  return total;
}

/**
 * Capacitated maximal covering, greedy: each chosen station serves up to `capacity` of the
 * demand it covers, nearest first (by `inst.dist`, or in point order without it); a demand point
 * can be split between stations. Returns the choice and the amounts served per (station, point).
 */
export function greedyCapacitated(inst: CoverInstance, p: number, capacity: number): GreedyResult & { served: Array<Array<[number, number]>> } {
  const served: Array<Array<[number, number]>> = [];
  const order = (j: number) => {
    const ks: number[] = [];
    for (let k = inst.offsets[j]; k < inst.offsets[j + 1]; k++) ks.push(k);
    if (inst.dist) ks.sort((a, b) => inst.dist![a] - inst.dist![b]);
    return ks;
  };
  const result = lazyGreedy(
    inst,
    (j, remaining) => Math.min(capacity, coverGain(inst)(j, remaining)),
    (j, remaining) => {
      let left = capacity;
      const mine: Array<[number, number]> = [];
      for (const k of order(j)) {
        if (left <= 0) break;
        const i = inst.items[k];
        const take = Math.min(left, remaining[i]);
        if (take <= 0) continue;
        remaining[i] -= take;
        left -= take;
        mine.push([i, take]);
      }
      served.push(mine);
      return capacity - left;
    },
    (n) => n >= p,
  );
  return { ...result, served };
}
