/**
 * Demand on the H3 grid: each community's residents (and elderly) spread over H3 cells as whole people,
 * conserved exactly per community.
 *
 * Residents follow residential buildings (footprint × levels) where a community has any, else its area. Integer
 * counts come from largest-remainder rounding, so the cells of a community always add up to its population and a
 * planner's totals match the census they typed in.
 */
import Flatbush from 'flatbush';
import { getHexagonAreaAvg, latLngToCell, polygonToCells } from 'h3-js';
import { InputError } from '../errors.ts';
import { containment, flatten, interiorPoint, type FlatMultiPolygon } from './polygon.ts';
import type { Building, Community } from './types.ts';

/** How a community's residents were placed: over its buildings, evenly over its area, or not at all (no population). */
export type DemandMethod = 'buildings' | 'area' | 'none';

export interface Demand {
  resolution: number;
  /** H3 cell ids, sorted; every cell whose centre lies in a community, plus every cell holding residents. */
  cells: string[];
  /** Residents per cell (parallel to `cells`). */
  residents: Int32Array;
  /** Elderly residents per cell (parallel to `cells`). */
  elderly: Int32Array;
  /**
   * Per (cell, community) pair, sorted by cell then community: index into `cells`, index into the communities
   * passed in, residents and elderly of that community in that cell. A cell whose centre lies in a community is
   * listed with it even with 0 residents, so every cell can be traced to the communities it serves.
   */
  shareCell: Int32Array;
  shareCommunity: Int32Array;
  shareResidents: Int32Array;
  shareElderly: Int32Array;
  /** Per community (parallel to the communities passed in). */
  method: DemandMethod[];
  /** Per community: the share of its residents placed by buildings (1 buildings only, 0 area only or none); see `fullBuildingWeightPerResident`. */
  buildingShare: Float64Array;
  /** Ids of communities without population: they carry no residents. */
  withoutPopulation: string[];
  /** Buildings inside no community (they carry no residents). */
  buildingsOutside: number;
}

export interface DemandOptions {
  /** H3 resolution of the analysis cells; 10 ≈ 0.015 km² a cell. */
  resolution?: number;
  /**
   * Share of residents who are elderly where a community gives no elderly count.
   * Default 0.2198: Harbin, 2020 census, aged 60+ (secondary source, see docs/domain.md).
   */
  elderlyShare?: number;
  /**
   * Building weight (footprint m² × levels) per resident at which a community's homes count as fully mapped.
   * A community with less places only that fraction of its residents by buildings and spreads the rest evenly over
   * its area, so a few mapped buildings do not receive everyone: on Harbin 2 buildings would otherwise hold all
   * 33,337 residents of 大兴街道. 0 (the default) trusts any building fully. Around 3 suits Harbin, where counting
   * every building gives a median 5.5 m² of footprint per resident.
   */
  fullBuildingWeightPerResident?: number;
}

/**
 * Spreads every community's population over H3 cells.
 * A building counts for the first community (in the order given) whose polygon holds its centroid; a community
 * without residential buildings spreads evenly over the cells whose centre it holds, or the cell of an interior
 * point when it is too small to hold any centre.
 * @throws InputError for a negative or fractional population, elderly above population, or an empty polygon.
 */
export function buildDemand(communities: Community[], buildings: Building[], opts: DemandOptions = {}): Demand {
  const { resolution = 10, elderlyShare = 0.2198, fullBuildingWeightPerResident = 0 } = opts;
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) throw new RangeError(`H3 resolution must be an integer 0–15, got ${resolution}`);
  if (!(elderlyShare >= 0 && elderlyShare <= 1)) throw new RangeError(`elderlyShare must lie in 0–1, got ${elderlyShare}`);
  if (!(fullBuildingWeightPerResident >= 0)) throw new RangeError(`fullBuildingWeightPerResident must be ≥ 0, got ${fullBuildingWeightPerResident}`);
  communities.forEach(validate);

  const shapes = communities.map((c) => flatten(c.polygon));
  const { weights, outside } = buildingWeights(communities, shapes, buildings, resolution);

  const pairs: Pairs = { cell: [], community: [], residents: [], elderly: [] };
  const method: DemandMethod[] = [];
  const buildingShare = new Float64Array(communities.length);
  const withoutPopulation: string[] = [];
  communities.forEach((c, ci) => {
    const areaCells = coveringCells(c, shapes[ci], resolution);
    const byBuilding = weights[ci];
    const buildingWeight = byBuilding ? total(byBuilding) : 0;
    let share = 0;
    if (c.population !== null && buildingWeight > 0) {
      share = fullBuildingWeightPerResident > 0 ? Math.min(1, buildingWeight / (fullBuildingWeightPerResident * c.population)) : 1;
    }
    if (c.population === null) withoutPopulation.push(c.id);
    method.push(c.population === null ? 'none' : share > 0 ? 'buildings' : 'area');
    buildingShare[ci] = share;

    // Weights as fractions of the population, so the building and area parts mix in the proportion `share`.
    const cellWeight = new Map<string, number>();
    for (const cell of areaCells) cellWeight.set(cell, c.population === null ? 0 : (1 - share) / areaCells.size);
    if (byBuilding && share > 0) for (const [cell, w] of byBuilding) cellWeight.set(cell, (cellWeight.get(cell) ?? 0) + (share * w) / buildingWeight);

    const cells = [...cellWeight.keys()].sort();
    const population = c.population ?? 0;
    const residents = population > 0 ? largestRemainder(population, cells.map((cell) => cellWeight.get(cell)!)) : new Int32Array(cells.length);
    const elderlyTotal = c.elderly ?? Math.round(population * elderlyShare);
    const elderly = elderlyTotal > 0 ? largestRemainder(elderlyTotal, residents) : new Int32Array(cells.length);
    for (let k = 0; k < cells.length; k++) {
      pairs.cell.push(cells[k]);
      pairs.community.push(ci);
      pairs.residents.push(residents[k]);
      pairs.elderly.push(elderly[k]);
    }
  });
  return { resolution, ...cellArrays(pairs), method, buildingShare, withoutPopulation, buildingsOutside: outside };
}

/** (cell, community) pairs in community order, as the per-community loop makes them. */
interface Pairs {
  cell: string[];
  community: number[];
  residents: number[];
  elderly: number[];
}

/**
 * Most cells one community may spread over. h3-js sizes its work by the polygon's bounding box: a 3° square takes
 * 30 s and 1.5 GB at resolution 10, a 10° one runs out of memory (and throws a string). A million cells is
 * 15,000 km² at resolution 10, past any community or sub-district.
 */
const MAX_COMMUNITY_CELLS = 1_000_000;

/**
 * The cells whose centre the community holds, or the cell of an interior point for a sliver that holds none.
 * @throws InputError when its bounding box would hold more than MAX_COMMUNITY_CELLS cells.
 */
function coveringCells(c: Community, shape: FlatMultiPolygon, resolution: number): Set<string> {
  const boxM2 = (shape.maxX - shape.minX) * 111_320 * Math.cos(((shape.minY + shape.maxY) / 2) * (Math.PI / 180)) * (shape.maxY - shape.minY) * 110_540;
  const estimate = boxM2 / getHexagonAreaAvg(resolution, 'm2');
  if (!(estimate <= MAX_COMMUNITY_CELLS)) {
    throw new InputError(
      `the polygon spans ${Math.round(boxM2 / 1e6).toLocaleString('en')} km², about ${Math.round(estimate).toLocaleString('en')} H3 cells at resolution ${resolution}: more than the ${MAX_COMMUNITY_CELLS.toLocaleString('en')} one community may cover; check it is a community boundary, or choose a coarser resolution`,
      { feature: c.id, field: 'geometry' },
    );
  }
  const cells = new Set<string>();
  for (const poly of c.polygon) {
    let covered: string[];
    try {
      covered = polygonToCells(poly, resolution, true);
    } catch (err) {
      // h3-js throws (an Error, or a bare string when out of memory) for shapes it cannot cover: the input's fault
      throw new InputError(`H3 cannot cover the polygon with cells (${err instanceof Error ? err.message : String(err)}); check that its rings are valid`, { feature: c.id, field: 'geometry' });
    }
    for (const cell of covered) cells.add(cell);
  }
  if (cells.size === 0) {
    const [lon, lat] = interiorPoint(shape);
    if (!(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)) throw new InputError('the polygon has no area: it holds no point', { feature: c.id, field: 'geometry' });
    cells.add(latLngToCell(lat, lon, resolution));
  }
  return cells;
}

/** Sorted cells with their totals, and the pairs as typed arrays sorted by cell then community. */
function cellArrays(pairs: Pairs) {
  const cells = [...new Set(pairs.cell)].sort();
  const cellIndex = new Map<string, number>();
  cells.forEach((cell, i) => cellIndex.set(cell, i));
  const n = pairs.cell.length;
  const residents = new Int32Array(cells.length);
  const elderly = new Int32Array(cells.length);
  const pairCell = new Int32Array(n);
  const bucketStart = new Int32Array(cells.length + 1);
  for (let p = 0; p < n; p++) {
    const i = cellIndex.get(pairs.cell[p])!;
    pairCell[p] = i;
    bucketStart[i + 1]++;
    residents[i] += pairs.residents[p];
    elderly[i] += pairs.elderly[p];
  }
  for (let i = 0; i < cells.length; i++) bucketStart[i + 1] += bucketStart[i];
  // Bucket sort by cell: stable, so pairs stay in community order within a cell.
  const shareCell = new Int32Array(n);
  const shareCommunity = new Int32Array(n);
  const shareResidents = new Int32Array(n);
  const shareElderly = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const k = bucketStart[pairCell[p]]++;
    shareCell[k] = pairCell[p];
    shareCommunity[k] = pairs.community[p];
    shareResidents[k] = pairs.residents[p];
    shareElderly[k] = pairs.elderly[p];
  }
  return { cells, residents, elderly, shareCell, shareCommunity, shareResidents, shareElderly };
}

function total(weights: Map<string, number>): number {
  let sum = 0;
  for (const w of weights.values()) sum += w;
  return sum;
}

function validate(c: Community) {
  const where = { feature: c.id };
  if (c.polygon.length === 0 || c.polygon.some((poly) => poly.length === 0 || poly[0].length < 4)) {
    throw new InputError('the community has no polygon with at least three corners', where);
  }
  if (c.population !== null && !(Number.isInteger(c.population) && c.population >= 0)) {
    throw new InputError(`population must be a whole number ≥ 0, got ${c.population}`, { ...where, field: 'population' });
  }
  if (c.elderly !== null && !(Number.isInteger(c.elderly) && c.elderly >= 0 && c.elderly <= (c.population ?? 0))) {
    throw new InputError(`elderly must be a whole number from 0 to the population (${c.population ?? 'none'}), got ${c.elderly}`, { ...where, field: 'elderly' });
  }
}

/**
 * Building weight per H3 cell for each community with a population (undefined where it has no building weight).
 * Communities are found through a flatbush index of their bounding boxes; a building in two overlapping
 * communities goes to the first.
 */
function buildingWeights(communities: Community[], shapes: FlatMultiPolygon[], buildings: Building[], resolution: number) {
  const weights: Array<Map<string, number> | undefined> = new Array(communities.length);
  let outside = 0;
  if (communities.length === 0) return { weights, outside: buildings.length };
  const index = new Flatbush(communities.length);
  for (const s of shapes) index.add(s.minX, s.minY, s.maxX, s.maxY);
  index.finish();
  const tests: Array<((x: number, y: number) => boolean) | undefined> = new Array(communities.length);

  for (const b of buildings) {
    let owner = communities.length;
    for (const c of index.search(b.lon, b.lat, b.lon, b.lat)) {
      if (c >= owner) continue;
      tests[c] ??= containment(shapes[c]);
      if (tests[c]!(b.lon, b.lat)) owner = c;
    }
    if (owner === communities.length) {
      outside++;
      continue;
    }
    if (communities[owner].population === null || !(b.weight > 0)) continue;
    const cell = latLngToCell(b.lat, b.lon, resolution);
    const cells = (weights[owner] ??= new Map());
    cells.set(cell, (cells.get(cell) ?? 0) + b.weight);
  }
  return { weights, outside };
}

/**
 * Splits a whole `total` into whole parts proportional to `weights` (Hamilton / largest-remainder method): each part
 * gets the floor of its quota, and the units left over go to the largest fractional remainders, ties to the earlier
 * index. The parts always sum to `total`. Weights must be ≥ 0 with a positive sum.
 * @example largestRemainder(10, [1, 1, 1]) // Int32Array [4, 3, 3]
 */
export function largestRemainder(total: number, weights: ArrayLike<number>): Int32Array {
  const n = weights.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i];
  if (!(sum > 0)) throw new RangeError('largestRemainder needs weights with a positive sum');
  // parts are 32-bit: a larger total would wrap and the leftover loop below would never end
  if (!(total >= 0 && total <= 2 ** 31 - 1)) throw new RangeError(`largestRemainder needs a total from 0 to 2^31 - 1, not ${total}`);
  const parts = new Int32Array(n);
  const remainder = new Float64Array(n);
  let assigned = 0;
  for (let i = 0; i < n; i++) {
    const quota = (total * weights[i]) / sum;
    parts[i] = Math.floor(quota);
    remainder[i] = quota - parts[i];
    assigned += parts[i];
  }
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => remainder[b] - remainder[a] || a - b);
  let left = total - assigned;
  for (let k = 0; left > 0; k++, left--) parts[order[k]]++;
  // Floating-point quotas can land one ulp above an integer, flooring one unit too many: take it back from the smallest remainders.
  for (let k = n - 1; left < 0; k--) {
    if (parts[order[k]] > 0) {
      parts[order[k]]--;
      left++;
    }
  }
  return parts;
}
