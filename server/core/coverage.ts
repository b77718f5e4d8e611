/**
 * The coverage step: every facility's walkshed over the demand cells, and for every cell the
 * nearest facility of each category. Distances are metres; minutes follow by dividing by a
 * walking speed, so one walk serves both the general and the elderly speed.
 */
import type { Graph } from './graph.ts';
import { Walker } from './walk.ts';
import { groupByEdge, nearest, walksheds, type Placed } from './reach.ts';

export interface CoverageInput {
  graph: Graph;
  facilities: Placed;
  /** Index into `categories` for each facility. */
  facilityCategory: Int32Array;
  categories: string[];
  cells: Placed;
}

export interface CoverageOptions {
  /** Walksheds reach this far: the longest tier at the fastest speed (15 min × 67 m/min). */
  walkshedCutoffM: number;
  /** Nearest-facility search stops here (Infinity: the whole connected network). */
  nearestCutoffM: number;
}

export interface CoverageResult {
  /** Per facility (CSR): the cells within the cutoff and their metres. */
  walksheds: { offsets: Int32Array; target: Int32Array; dist: Float64Array };
  /** Per category: per cell, metres to the nearest facility (Infinity: none) and which (-1). */
  nearest: Array<{ dist: Float64Array; source: Int32Array }>;
}

/** Run the coverage step. */
export function computeCoverage(input: CoverageInput, opts: CoverageOptions): CoverageResult {
  const { graph, facilities, facilityCategory, categories, cells } = input;
  const walker = new Walker(graph);
  const cellsOnEdge = groupByEdge(graph.edgeCount, cells);
  const sheds = walksheds(graph, facilities, cells, cellsOnEdge, opts.walkshedCutoffM, walker);
  const members: number[][] = categories.map(() => []);
  facilityCategory.forEach((c, f) => members[c].push(f));
  const near = members.map((m) => nearest(graph, facilities, Int32Array.from(m), cells, opts.nearestCutoffM, walker));
  return { walksheds: sheds, nearest: near };
}
