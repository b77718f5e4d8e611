/**
 * The colours the map and the legend share: the walking-time ramp, the gap colour, and one fixed
 * colour per facility category. Kept in one place so the legend can never disagree with the map.
 */

/**
 * Walking-time ramp, darkest = closest (ColorBrewer YlGnBu, sequential and colour-blind safe).
 * Index i is for "≤ tiers[i] minutes"; the last entry is for "beyond the longest tier".
 */
export const RAMP = ['#225ea8', '#41b6c4', '#a1dab4', '#f4f1c1'] as const;

/** Cells beyond the selected tier that hold the weighted population: the coverage gap. */
export const GAP = '#d1127b';

/** Gap cells no facility of the category can reach at all (a darker shade of the gap). */
export const GAP_UNREACHABLE = '#7d0552';

/** Cells no facility of the category can reach at all and nobody lives in. */
export const UNREACHABLE = '#8c8c8c';

/** Outline of gap clusters. */
export const GAP_OUTLINE = '#7a0a48';

/** Community boundaries. */
export const COMMUNITY_LINE = '#3d3553';

/** A scenario's stations: closed ones (they serve nobody), the ring of added ones, the selected one's ring. */
export const STATION_CLOSED = '#9a9a9a';
export const STATION_ADDED_RING = '#111111';
export const STATION_SELECTED_RING = '#00b8d9';

/** Suggested sites' numbered discs. */
export const SUGGESTED_SITE = '#10233f';

/** Facility category colours: chosen away from the blue-green ramp and the gap magenta. */
const CATEGORY_COLOURS: Record<string, string> = {
  elderly_care: '#ff7f00',
  community_service: '#7b3294',
  pharmacy: '#1a9850',
  health: '#e31a1c',
  childcare: '#e6c200',
  school: '#8c510a',
  culture: '#404040',
};

/** For categories a city adds beyond the bundled ones, in the order `/api/city` lists them. */
const EXTRA_COLOURS = ['#1f78b4', '#b2df8a', '#fb9a99', '#cab2d6', '#6a3d9a', '#b15928'];

/** Colour of every category id, stable for the bundled ids, assigned in order for the rest. */
export function categoryColours(ids: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let extra = 0;
  for (const id of ids) out[id] = CATEGORY_COLOURS[id] ?? EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length];
  return out;
}

/** Colour for the walking-time ramp step of `minutes`, given the city's tiers (ascending). */
export function rampColour(minutes: number, tiers: readonly number[]): string {
  for (let i = 0; i < tiers.length && i < RAMP.length - 1; i++) if (minutes <= tiers[i]) return RAMP[i];
  return RAMP[RAMP.length - 1];
}

/**
 * Compliance view: communities by how many rules they fail. Index n is for n failed rules, the
 * last entry for that many or more (ColorBrewer RdYlGn ends: green passes, deepening red fails).
 */
export const COMPLIANCE = ['#1a9850', '#fdae61', '#f46d43', '#a50026'] as const;

/** Opacity of the compliance fill (the basemap shows through), and of its legend swatches. */
export const COMPLIANCE_OPACITY = 0.6;

/** Communities with no population figure: nobody to check the rules for. */
export const NO_POPULATION = '#a8a8a8';

/** Colour of a community failing `failed` rules; `null`: it has no population. */
export function complianceColour(failed: number | null): string {
  return failed === null ? NO_POPULATION : COMPLIANCE[Math.min(failed, COMPLIANCE.length - 1)];
}

/** Community units' outlines in merge mode, and the picked units' fill. */
export const UNIT_LINE = '#5b4f8a';
export const UNIT_PICKED = '#ffb000';

/** Joint communities' thick outlines: the rule passed or failed. */
export const JOINT_PASS = '#1a9850';
export const JOINT_FAIL = '#d7301f';

/** Cells a joint community's one workstation cannot reach. */
export const FAULT_CELL = '#a50026';

/** Suggested joint communities, one fill per group (cycled). */
export const PROPOSAL = ['#1f78b4', '#33a02c', '#e31a1c', '#ff7f00', '#6a3d9a', '#b15928', '#a6cee3', '#fb9a99'] as const;
