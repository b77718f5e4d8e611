/**
 * The demand cells' colours, computed per cell in plain code for the hexagon layer (hexLayer.ts):
 * walking minutes to the nearest facility stepped at the city's tiers, with the coverage gap in
 * its own colour. Changing category, tier, speed or weighting recomputes these colours; the
 * geometry is never rebuilt nor the data refetched.
 */
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

const rgb = (hex: string): [number, number, number] => {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
};

/**
 * Colour of one cell as [r, g, b, alpha]: cells beyond the selected tier that hold the weighted
 * population are the gap (a darker shade where no facility can be reached at all); empty
 * unreachable cells grey; the rest by the ramp. A cell counts as within a tier when
 * metres / speed ≤ tier, as the server counts coverage. `distM` null or negative: unreachable.
 */
export function cellColour(s: CellSelection, distM: number | null, residents: number, elderly: number): [number, number, number, number] {
  const populated = (s.weighting === 'elderly' ? elderly : residents) > 0;
  const alpha = populated ? ALPHA_POPULATED : ALPHA_EMPTY;
  if (distM === null || distM < 0) return populated ? [...rgb(GAP_UNREACHABLE), alpha] : [...rgb(UNREACHABLE), alpha];
  if (populated && distM > s.tier * s.speedMPerMin) return [...rgb(GAP), alpha];
  const steps = s.tiers.slice(0, RAMP.length - 1);
  const i = steps.findIndex((tier) => distM <= tier * s.speedMPerMin);
  return [...rgb(RAMP[i < 0 ? RAMP.length - 1 : i]), alpha];
}

/** Every cell's colour, premultiplied by its alpha, as RGBA bytes in the cells' order. */
export function cellColours(
  s: CellSelection,
  cells: { residents: readonly number[]; elderly: readonly number[]; distM: Record<string, readonly (number | null)[]> },
): Uint8Array {
  const dist = cells.distM[s.category] ?? [];
  const out = new Uint8Array(cells.residents.length * 4);
  for (let i = 0; i < cells.residents.length; i++) {
    const [r, g, b, a] = cellColour(s, dist[i] ?? null, cells.residents[i], cells.elderly[i]);
    out[4 * i] = Math.round(r * a);
    out[4 * i + 1] = Math.round(g * a);
    out[4 * i + 2] = Math.round(b * a);
    out[4 * i + 3] = Math.round(a * 255);
  }
  return out;
}

/** Layer opacity: 1, or faint while a walkshed is drawn over the cells. */
export const cellLayerOpacity = (dim: boolean): number => (dim ? 0.4 : 1);

/**
 * A scenario's distances for colouring (`/api/scenarios/{id}/cells`), which know no metres beyond
 * the walkshed reach: a cell null there that the baseline reaches at all is beyond the reach
 * (Infinity: the last ramp step, or the gap), not unreachable. Every tier ends within the reach,
 * so the steps are exact; only "beyond" and "unreachable" can be mixed up: a cell whose every
 * station the scenario removed shows beyond reach, and one that only an added station reaches,
 * from beyond the reach, shows unreachable.
 */
export function scenarioDistances(baseline: readonly (number | null)[], scenario: readonly (number | null)[]): (number | null)[] {
  return scenario.map((d, i) => d ?? (baseline[i] === null ? null : Infinity));
}
