/** Records shared between ingest, core and db. Coordinates are WGS84 lon/lat in degrees. */

/** GeoJSON-style MultiPolygon coordinates: polygons → rings → [lon, lat] positions; rings closed. */
export type MultiPolygonCoords = number[][][][];

export interface Community {
  /** Stable id: `osm:r123` for OSM relations, `<file>:<index or id field>` for imported polygons. */
  id: string;
  name: string;
  /** 'osm' (admin boundary), 'import' (user polygons), 'derived' (split from a coarser boundary). */
  source: 'osm' | 'import' | 'derived';
  /** Residents; null when the input gives none (such a community carries no demand and is reported). */
  population: number | null;
  /** Elderly residents when the input gives them; else null and a configured share applies. */
  elderly: number | null;
  polygon: MultiPolygonCoords;
  /** Administrative code where known (OSM `division_code`). */
  code?: string;
}

/** A grid management unit (网格) from the user's grids file. */
export interface Grid {
  /** Stable id: `<file>:<index or id field>`. */
  id: string;
  name: string;
  /** Households as given; null when the file gives none (never estimated from residents). */
  households: number | null;
  /** Residents as given; null when the file gives none (then counted from the demand cells). */
  residents: number | null;
  polygon: MultiPolygonCoords;
}

export interface Facility {
  /** Stable id: `osm:n123` / `osm:w123` / `osm:r123`, or `<file>:<row or id field>`. */
  id: string;
  name: string;
  /** A category id from data/categories.json. */
  category: string;
  lon: number;
  lat: number;
  source: string;
  /** Beds or places where known (used by supply-demand checks later). */
  capacity: number | null;
}

/** A residential building reduced to a point with a weight for spreading residents. */
export interface Building {
  lon: number;
  lat: number;
  /** Footprint area in m² × levels (1 where levels are unknown). */
  weight: number;
}

/** Something the import could not use as given: reported to the user, never dropped silently. */
export interface ImportNote {
  kind: string;
  /** The feature it concerns: an OSM id, a file row, a community name. */
  subject: string;
  message: string;
}
