/**
 * A published snapshot: every figure a viewer, a download or the report needs, copied at the moment
 * of publishing, so later edits to the scenario change nothing already published. Plain JSON (no
 * typed arrays, no bigint): it is stored as text, inlined into the exported folder's data.js and
 * read back by the viewer.
 */

export type Speed = 'general' | 'elderly';

export interface SnapshotCategory {
  id: string;
  zh: string;
  en: string;
}

/** Residents and elderly within the walk of one category at one tier and speed. */
export interface CoverageFigure {
  category: string;
  tier: number;
  speed: Speed;
  residents: number;
  residentsCovered: number;
  elderly: number;
  elderlyCovered: number;
}

export interface RuleSource {
  document: string;
  clause: string;
  /** P official text, S secondary summary, L local rule, D derived by arithmetic, C conjecture. */
  label: string;
}

/** One community's (or joint community's) finding against a rule of the standards profile. */
export interface SnapshotFinding {
  rule: string;
  kind: 'facility_requirement' | 'supply_norm';
  category: string;
  /** Requirement: the tier in minutes; supply: null. */
  tier: number | null;
  /** Whose walk: residents (general speed) or elderly (elderly speed). */
  target: 'residents' | 'elderly';
  /** Requirement: covered / people (0–1), null without people; supply: null. */
  share: number | null;
  /** Supply: places per `perCount` elderly, null without elderly; requirement: null. */
  value: number | null;
  /** Requirement: the minimum share (0–1); supply: the minimum places per `perCount`. */
  threshold: number;
  /** Supply: the elderly the places are counted per (e.g. 1,000); requirement: null. */
  perCount: number | null;
  pass: boolean;
  source: RuleSource;
}

export type GeoMultiPolygon = number[][][][];

export interface SnapshotCommunity {
  id: string;
  name: string;
  population: number | null;
  residents: number;
  elderly: number;
  /** A point inside the boundary for its label. */
  label: [number, number];
  geometry: GeoMultiPolygon;
  /** Every category × tier × speed. */
  coverage: CoverageFigure[];
  /** Life-circle tier by population and the findings; null for a community with no population figure. */
  compliance: { position: string; tierMinutes: number | null; governingMinutes: number; pass: boolean; findings: SnapshotFinding[] } | null;
}

export interface SnapshotJoint {
  id: string;
  name: string;
  units: string[];
  residents: number;
  elderly: number;
  /** The joint-community rule held (residents within the floor and cap, contiguous, one workstation serves all). */
  pass: boolean;
  /** The rule's findings as words' keys with figures (`residents_below`, `not_contiguous`, ...). */
  problems: Array<{ kind: string; value?: number; threshold?: number }>;
  workstations: Array<{ id: string; name: string; lon: number; lat: number }>;
  /** H3 cell where one workstation would serve everyone (when it has none), else null. */
  site: string | null;
  label: [number, number];
  geometry: GeoMultiPolygon;
  coverage: CoverageFigure[];
  requirements: SnapshotFinding[];
}

export interface SnapshotStation {
  id: string;
  name: string;
  category: string;
  lon: number;
  lat: number;
  capacity: number | null;
  /** Closed stations stay on the map but serve nobody. */
  open: boolean;
  /** Proposed by the scenario (not in the baseline). */
  added: boolean;
}

/** A cluster of touching gap cells of the view (its category, tier and speed; elderly weighting). */
export interface SnapshotGap {
  rank: number;
  cells: number;
  residents: number;
  elderly: number;
  lon: number;
  lat: number;
  geometry: GeoMultiPolygon;
}

export interface SnapshotData {
  format: 'lifecircle-snapshot/1';
  name: string;
  title: string;
  description: string;
  /** ISO 8601, UTC. */
  publishedAt: string;
  scenario: { id: string; name: string; version: number } | null;
  /** What the map shows: coverage of one category at one tier and speed, gaps weighted by the elderly. */
  view: { category: string; tier: number; speed: Speed; weight: 'elderly' };
  city: {
    name: string;
    /** [west, south, east, north] */
    bbox: [number, number, number, number];
    resolution: number;
    /** Metres per minute. */
    speeds: Record<Speed, number>;
    tiers: number[];
    /** Metres beyond which a scenario's distances are not kept (null = the baseline's full distances). */
    reachM: number | null;
  };
  /** Data sources and their credit lines; the first is always "© OpenStreetMap contributors". */
  attribution: string[];
  profile: string;
  categories: SnapshotCategory[];
  /** Column-wise, as GET /api/cells: `distM[category][i]` whole metres to the nearest open station, null beyond reach. */
  cells: { resolution: number; h3: string[]; lon: number[]; lat: number[]; residents: number[]; elderly: number[]; distM: Record<string, Array<number | null>> };
  /** City-wide, every category × tier × speed. */
  coverage: CoverageFigure[];
  communities: SnapshotCommunity[];
  joints: SnapshotJoint[];
  /** Every station of every category (open, closed and proposed). */
  stations: SnapshotStation[];
  gaps: SnapshotGap[];
  /** The view category's open stations' walksheds at the view tier and speed: outline of the cells reached. */
  walksheds: Array<{ station: string; geometry: GeoMultiPolygon }>;
}
