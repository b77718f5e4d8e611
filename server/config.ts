import { fileURLToPath } from 'node:url';

/** The bundled sample city and where its database goes by default. */
export const HARBIN_PBF = fileURLToPath(new URL('../data/harbin/harbin.osm.pbf', import.meta.url));
/** The bundled sample's name on the map, published pages and reports (data/harbin/SOURCE.md: central Harbin). */
export const HARBIN_NAME = '哈尔滨市中心 Central Harbin';
export const HARBIN_DB = fileURLToPath(new URL('../data/harbin.duckdb', import.meta.url));
/** Where `vite build` puts the web app. */
export const WEB_ROOT = fileURLToPath(new URL('../dist/web', import.meta.url));
/** The published maps' viewer (vite build --mode viewer): one classic script and its stylesheet, for file:// pages. */
export const VIEWER_ROOT = fileURLToPath(new URL('../dist/viewer', import.meta.url));
/**
 * The CJK font of the PNG map and the PDF report: WenQuanYi Micro Hei 文泉驿微米黑 (Latin and CJK in one face,
 * TrueType outlines, which pdfkit subsets cleanly), shipped in data/fonts with its licence (Apache-2.0 or GPL-3+
 * with the font exception).
 */
export const FONT_FILE = fileURLToPath(new URL('../data/fonts/wqy-microhei.ttc', import.meta.url));
/** The face inside FONT_FILE (a TrueType collection: the proportional face, not the mono one). */
export const FONT_FACE = 'WenQuanYiMicroHei';

/**
 * Build defaults. Every number that is a planning judgement says where it comes from
 * (labels as in docs/domain.md: P official text, S secondary summary, L local rule, D derived).
 */
export const DEFAULTS = {
  /** H3 resolution of the demand cells: res 10 ≈ 0.015 km² (≈ 66 m edge). */
  resolution: 10,
  /** OSM admin_level of the community boundaries; 8 = sub-district (街道/镇) in China. */
  adminLevel: 8,
  speeds: {
    /** m/min; D: implied by GB 50180-2018 radii (1000 m / 15 min). */
    general: 67,
    /** m/min; S: older adults measure 46–56 m/min; 50 is domain.md's default. */
    elderly: 50,
  },
  /** Life-circle tiers in minutes; S: GB 50180-2018 5/10/15-minute life circles. */
  tiers: [5, 10, 15],
  /** Share aged 60+ where no per-community figure is given; S: Harbin, 2020 census, 21.98 %. */
  elderlyShare: 0.2198,
  /**
   * Building floor area (footprint × levels) per resident at which a community's residents follow its
   * buildings fully; below it only that share does and the rest spreads over the area. D: OSM buildings are
   * mapped patchily (Harbin: one sub-district of 33,337 residents has 2 mapped homes); measured on Harbin,
   * 3 m² keeps the densest cell near 10,000 residents instead of 33,337. 0 = buildings only.
   */
  buildingM2PerResident: 3,
  /** Points farther than this from every street are reported unreachable (metres). */
  maxSnapM: 300,
  /** Smaller network islands are not snapped to (nodes); see domain.md on bbox-cut extracts. */
  minComponentNodes: 50,
  /** Count the straight walk from a point to its street in the walking time. */
  countAccess: true,
  /** Nearest-facility searches stop here (metres); Infinity: the whole connected network. */
  nearestCutoffM: Infinity,
  /** Residents of a derived community unit (社区, 5k–12k, S: docs/domain.md spatial units). */
  unitResidents: [5000, 12000],
} as const;

export const SOURCES: Record<string, string> = {
  speed_general: 'D: GB 50180-2018 radii, 1000 m / 15 min ≈ 67 m/min (docs/domain.md)',
  speed_elderly: 'S: older adults 46–56 m/min in European/UK measurements; default 50 (docs/domain.md)',
  tiers: 'S: GB 50180-2018 城市居住区规划设计标准, 5/10/15-minute life circles',
  elderly_share: 'S: Harbin 2020 census, 21.98 % aged 60+ (docs/domain.md)',
  unit_residents: 'S: community (社区) 5,000–12,000 residents (docs/domain.md, spatial units)',
};

/** A city's name from its extract's file, when none is given: `harbin.osm.pbf` → `harbin`. */
export function cityNameOf(pbf: string): string {
  return (pbf.split(/[\\/]/).pop() ?? '').replace(/(\.osm)?\.pbf$/i, '') || 'city';
}
