/**
 * Suggesting sites for new stations in a scenario: the covering instance for a category, tier,
 * speed and weighting (demand = the weighted population of cells the scenario leaves uncovered;
 * candidates = cells with residents, or given points, each covering the cells within the tier's
 * walk), solved greedily and, on request, exactly or to a bound with HiGHS.
 */
import type { CityContext } from './context.ts';
import { walksheds, type Placed } from './core/reach.ts';
import { coverable, greedyCapacitated, greedyMaxCover, greedySetCover, improveBySwaps, type CoverInstance, type GreedyResult } from './core/siting.ts';
import { Worker } from 'node:worker_threads';
import type { ExactResult } from './core/siting-exact.ts';
import { EditError, type ScenarioModel } from './scenario.ts';

export type SitingProblem =
  | { kind: 'max-cover'; p: number }
  | { kind: 'set-cover'; targetShare: number }
  | { kind: 'capacitated'; p: number; capacity: number };

export interface SitingRequest {
  category: string;
  tier: number;
  speed: 'general' | 'elderly';
  weight: 'residents' | 'elderly';
  problem: SitingProblem;
  /** Candidate points; cells with residents when absent. */
  candidates?: Array<{ lon: number; lat: number }>;
  /** Leave out candidate cells whose centre lies in these land uses (basemap water, green). */
  excludeLanduse?: Array<'water' | 'green'>;
  /** Also solve with HiGHS, stopping after this many seconds (0: greedy only). */
  exactSeconds: number;
}

export interface Proposal {
  rank: number;
  lon: number;
  lat: number;
  /** The candidate's cell (H3), for candidates that are cells. */
  h3: string | null;
  /** Demand this site adds on top of the sites before it. */
  gain: number;
}

export interface SitingAnswer {
  demand: { total: number; coveredBefore: number; uncovered: number; coverable: number };
  candidates: number;
  proposals: Proposal[];
  covered: number;
  greedyMs: number;
  instanceMs: number;
  exact: (ExactResult & { gap: number | null; sites: Proposal[] }) | null;
}

/** What the exact solve needs, sent to its worker thread. */
export interface ExactJob {
  instance: CoverInstance;
  problem: SitingProblem;
  target: number;
  seconds: number;
}

/** Run HiGHS in a worker thread (siting-worker.mjs → .ts) so the server keeps answering meanwhile. */
function solveExact(job: ExactJob): Promise<ExactResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./siting-worker.mjs', import.meta.url), { workerData: job });
    worker.once('message', (r: ExactResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the exact siting solve stopped with code ${code}`)));
  });
}

/** Build the covering instance of a request on the scenario's current stations. */
export function sitingInstance(city: CityContext, model: ScenarioModel, req: SitingRequest) {
  const { stored } = city;
  const k = model.live.categories.indexOf(req.category);
  const reach = req.tier * city.speeds[req.speed];
  const w = req.weight === 'elderly' ? stored.cells.elderly : stored.cells.residents;
  const weight = new Float64Array(w.length);
  let total = 0;
  let coveredBefore = 0;
  for (let c = 0; c < w.length; c++) {
    total += w[c];
    if (model.live.nearest(k, c) <= reach) coveredBefore += w[c];
    else weight[c] = w[c];
  }
  // candidates: cells with residents (reachable ones), or the given points snapped like stations
  let places: Array<{ lon: number; lat: number; h3: string | null }>;
  let placed: Placed;
  if (req.candidates) {
    const snap = city.edgeIndex.snapAll(req.candidates.map((p) => p.lon), req.candidates.map((p) => p.lat));
    const keep = req.candidates.map((_, i) => i).filter((i) => snap.edge[i] >= 0);
    places = keep.map((i) => ({ ...req.candidates![i], h3: null }));
    placed = {
      edge: Int32Array.from(keep, (i) => snap.edge[i]),
      offset: Float64Array.from(keep, (i) => snap.offset[i]),
      access: Float64Array.from(keep, (i) => (city.countAccess ? snap.distance[i] : 0)),
    };
  } else {
    const cells: number[] = [];
    const excluded = new Set<string>(req.excludeLanduse ?? []);
    for (let c = 0; c < w.length; c++) {
      const landuse = stored.cells.landuse[c];
      if (stored.cells.residents[c] > 0 && city.cellsPlaced.edge[c] >= 0 && !(landuse && excluded.has(landuse))) cells.push(c);
    }
    places = cells.map((c) => ({ lon: stored.cells.lon[c], lat: stored.cells.lat[c], h3: stored.cells.h3[c] }));
    placed = {
      edge: Int32Array.from(cells, (c) => city.cellsPlaced.edge[c]),
      offset: Float64Array.from(cells, (c) => city.cellsPlaced.offset[c]),
      access: Float64Array.from(cells, (c) => city.cellsPlaced.access[c]),
    };
  }
  const sheds = walksheds(city.graph, placed, city.cellsPlaced, city.cellsOnEdge, reach);
  const instance: CoverInstance = { weight, offsets: sheds.offsets, items: sheds.target, dist: sheds.dist };
  return { instance, places, total, coveredBefore };
}

/** Solve a siting request on a scenario. Throws EditError for requests that cannot be answered. */
export async function suggestSites(city: CityContext, model: ScenarioModel, req: SitingRequest): Promise<SitingAnswer> {
  const t0 = performance.now();
  const { instance, places, total, coveredBefore } = sitingInstance(city, model, req);
  const instanceMs = performance.now() - t0;
  const n = places.length;
  const { problem } = req;
  if ((problem.kind === 'max-cover' || problem.kind === 'capacitated') && problem.p > n) {
    throw new EditError(400, `problem.p: ${problem.p} sites asked for but only ${n} candidates`, 'problem.p');
  }
  if (n === 0) throw new EditError(422, 'candidates: none lies within the snapping limit of a street', 'candidates');
  const reachable = coverable(instance);
  let target = 0;
  if (problem.kind === 'set-cover') {
    target = problem.targetShare * total - coveredBefore;
    if (target > reachable + 1e-9) {
      const most = total > 0 ? (100 * (coveredBefore + reachable)) / total : 0;
      throw new EditError(422, `problem.targetShare: infeasible; new sites can bring coverage to at most ${most.toFixed(1)} %`, 'problem.targetShare');
    }
  }
  const t1 = performance.now();
  const greedy: GreedyResult =
    problem.kind === 'max-cover' ? improveBySwaps(instance, greedyMaxCover(instance, problem.p))
    : problem.kind === 'set-cover' ? greedySetCover(instance, target)
    : greedyCapacitated(instance, problem.p, problem.capacity);
  const greedyMs = performance.now() - t1;
  const proposal = (j: number, rank: number, gain: number): Proposal => ({ rank, lon: places[j].lon, lat: places[j].lat, h3: places[j].h3, gain });
  let exact: SitingAnswer['exact'] = null;
  if (req.exactSeconds > 0) {
    const e = await solveExact({ instance, problem, target, seconds: req.exactSeconds });
    // the greedy answer's distance from the proven bound: demand short of it, or stations over it
    const b = e.bound;
    const gap = b === null ? null : problem.kind === 'set-cover' ? (greedy.chosen.length - b) / Math.max(b, 1e-9) : (b - greedy.covered) / Math.max(b, 1e-9);
    exact = { ...e, gap, sites: e.chosen.map((j, i) => proposal(j, i + 1, 0)) };
  }
  return {
    demand: { total, coveredBefore, uncovered: total - coveredBefore, coverable: reachable },
    candidates: n,
    proposals: greedy.chosen.map((j, i) => proposal(j, i + 1, greedy.gains[i])),
    covered: greedy.covered,
    greedyMs,
    instanceMs,
    exact,
  };
}
