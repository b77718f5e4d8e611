/**
 * Lines that split neighbourhoods: major roads, railways and water. `crosses` says whether the
 * straight line between two points cuts one of them; community units prefer to meet along them.
 * Segments sit in a Flatbush index; coordinates are lon/lat (short spans, so planar tests hold).
 */
import Flatbush from 'flatbush';
import type { FeatureCollection, Geometry } from 'geojson';

export class Barriers {
  private readonly index: Flatbush | null;

  /** `segments`: x1, y1, x2, y2 per segment. */
  constructor(private readonly segments: Float64Array) {
    const n = segments.length / 4;
    if (n === 0) {
      this.index = null;
      return;
    }
    this.index = new Flatbush(n);
    for (let i = 0; i < n; i++) {
      const [x1, y1, x2, y2] = segments.subarray(4 * i, 4 * i + 4);
      this.index.add(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
    }
    this.index.finish();
  }

  get size(): number {
    return this.segments.length / 4;
  }

  crosses(ax: number, ay: number, bx: number, by: number): boolean {
    if (!this.index) return false;
    const s = this.segments;
    const hits = this.index.search(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by));
    for (const i of hits) if (segmentsCross(ax, ay, bx, by, s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3])) return true;
    return false;
  }
}

/** Proper or touching intersection of segments ab and cd. */
export function segmentsCross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  const on = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) =>
    Math.min(px, qx) <= rx && rx <= Math.max(px, qx) && Math.min(py, qy) <= ry && ry <= Math.max(py, qy);
  return (
    (o1 === 0 && on(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && on(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && on(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && on(cx, cy, dx, dy, bx, by))
  );
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

/** Road classes (basemap `class`) that split neighbourhoods. */
export const BARRIER_ROADS = new Set(['motorway', 'trunk', 'primary', 'secondary', 'rail']);

/**
 * Barrier segments from basemap layers: roads of the barrier classes, water lines, and the
 * outlines of water areas.
 */
export function barrierSegments(layers: { roads: FeatureCollection; water: FeatureCollection }): Float64Array {
  const out: number[] = [];
  const line = (coords: number[][]) => {
    for (let i = 0; i + 1 < coords.length; i++) out.push(coords[i][0], coords[i][1], coords[i + 1][0], coords[i + 1][1]);
  };
  const geometry = (g: Geometry) => {
    if (g.type === 'LineString') line(g.coordinates);
    else if (g.type === 'MultiLineString' || g.type === 'Polygon') g.coordinates.forEach(line);
    else if (g.type === 'MultiPolygon') g.coordinates.forEach((p) => p.forEach(line));
  };
  for (const f of layers.roads.features) if (BARRIER_ROADS.has(String(f.properties?.class))) geometry(f.geometry);
  for (const f of layers.water.features) geometry(f.geometry);
  return Float64Array.from(out);
}
