/**
 * MapLibre expressions that colour the demand cells from the properties built once in
 * CellsLayer: `d_<category>` (metres to the nearest facility, -1 when none can be reached),
 * `r` (residents) and `e` (elderly). Changing category, tier, speed or weighting only swaps the
 * fill-color expression (setPaintProperty); the data is never refetched nor the geometry rebuilt.
 *
 * Only `fill-color` is data-driven (its colours carry their own alpha) and `fill-opacity` is a
 * constant: so the layer shares its WebGL program with the basemap's fills (each distinct
 * data-driven combination is one more shader to compile, ~0.3 s each on software GL), and dimming
 * under a walkshed is a uniform change that needs no new buckets.
 */
import type { ExpressionSpecification } from 'maplibre-gl';
import { GAP, GAP_UNREACHABLE, RAMP, UNREACHABLE } from '../lib/palette.ts';

export type Weighting = 'residents' | 'elderly';

export interface CellSelection {
  category: string;
  /** Selected tier, minutes. */
  tier: number;
  /** Walking speed, metres per minute. */
  speedMPerMin: number;
  weighting: Weighting;
  /** The city's tiers, ascending (the ramp's steps). */
  tiers: readonly number[];
}

/** Alpha of cells holding the weighted population, and of the others (the basemap shows through). */
export const ALPHA_POPULATED = 0.66;
export const ALPHA_EMPTY = 0.24;

/** Property holding metres to the nearest facility of `category` (-1: unreachable). */
export const distProp = (category: string): string => `d_${category}`;

const dist = (category: string): ExpressionSpecification => ['get', distProp(category)];
const weight = (w: Weighting): ExpressionSpecification => ['get', w === 'elderly' ? 'e' : 'r'];

/** `#rrggbb` with an alpha, as a CSS colour MapLibre parses. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Fill colour: walking minutes stepped at the city's tiers; cells beyond the selected tier that
 * hold the weighted population are the gap (a darker shade where no facility can be reached at
 * all); empty unreachable cells grey. A cell counts as within a tier when metres / speed ≤ tier,
 * as the server counts coverage.
 */
export function cellFillColor(s: CellSelection): ExpressionSpecification {
  const d = dist(s.category);
  const populated: ExpressionSpecification = ['>', weight(s.weighting), 0];
  const byWeight = (hex: string): ExpressionSpecification => ['case', populated, withAlpha(hex, ALPHA_POPULATED), withAlpha(hex, ALPHA_EMPTY)];
  const steps: (ExpressionSpecification | string)[] = [];
  s.tiers.slice(0, RAMP.length - 1).forEach((tier, i) => {
    steps.push(['<=', d, tier * s.speedMPerMin], byWeight(RAMP[i]));
  });
  return [
    'case',
    ['<', d, 0], ['case', populated, withAlpha(GAP_UNREACHABLE, ALPHA_POPULATED), withAlpha(UNREACHABLE, ALPHA_EMPTY)],
    ['all', ['>', d, s.tier * s.speedMPerMin], populated], withAlpha(GAP, ALPHA_POPULATED),
    ...steps,
    byWeight(RAMP[RAMP.length - 1]),
  ] as ExpressionSpecification;
}

/** Layer opacity: 1, or faint while a walkshed is drawn over the cells (a constant: no relayout). */
export const cellLayerOpacity = (dim: boolean): number => (dim ? 0.4 : 1);
