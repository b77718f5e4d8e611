/**
 * Point-in-polygon for hover hit-testing without an invisible fill layer (which would cost a draw
 * per frame and a shader of its own). Even-odd ray casting over every ring, with a bounding-box
 * check first.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

export type BBox = [number, number, number, number];

/** [west, south, east, north] of a (Multi)Polygon's outer rings. */
export function bboxOf(g: Polygon | MultiPolygon): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) {
    for (const [x, y] of poly[0]) {
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    }
  }
  return b;
}

function inRing(x: number, y: number, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Whether (x, y) lies inside `g` (holes excluded).
 * @example contains([0, 0, 2, 2], square2x2, 1, 1) // true
 */
export function contains(bbox: BBox, g: Polygon | MultiPolygon, x: number, y: number): boolean {
  if (x < bbox[0] || x > bbox[2] || y < bbox[1] || y > bbox[3]) return false;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) {
    let inside = false;
    for (const ring of poly) if (inRing(x, y, ring)) inside = !inside;
    if (inside) return true;
  }
  return false;
}
