/**
 * Polygon helpers on flat coordinate arrays: area, containment, centroid, interior point.
 *
 * Geometry is held as a `FlatMultiPolygon` (one Float64Array of lon,lat pairs plus ring and polygon offsets) so the
 * hot loops in buildings.ts and grid.ts run on plain numbers, never on nested GeoJSON arrays.
 */
import Flatbush from 'flatbush';
import type { MultiPolygonCoords } from './types.ts';

const RAD = Math.PI / 180;
// WGS84 semi-major axis and first eccentricity squared.
const WGS84_A = 6_378_137;
const WGS84_E2 = 0.006_694_379_990_14;

/**
 * A multipolygon in flat arrays. Vertex v is (xy[2v], xy[2v+1]) = (lon, lat); rings are closed (the last vertex
 * repeats the first). Ring r spans vertices ringStart[r] .. ringStart[r+1]); polygon p spans rings
 * polyStart[p] .. polyStart[p+1]) and its first ring is the outer one, the rest are holes.
 */
export interface FlatMultiPolygon {
  xy: Float64Array;
  ringStart: Int32Array;
  polyStart: Int32Array;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Flat arrays from GeoJSON-style MultiPolygon coordinates. */
export function flatten(mp: MultiPolygonCoords): FlatMultiPolygon {
  return flattenWith(mp, (p) => p[0], (p) => p[1]);
}

/**
 * Flat arrays from polygons → rings → vertices of any kind (coordinate pairs, node indices),
 * read through `lon` and `lat`.
 */
export function flattenWith<T>(polygons: T[][][], lon: (v: T) => number, lat: (v: T) => number): FlatMultiPolygon {
  let vertices = 0;
  let rings = 0;
  for (const poly of polygons) {
    rings += poly.length;
    for (const ring of poly) vertices += ring.length;
  }
  const xy = new Float64Array(vertices * 2);
  const ringStart = new Int32Array(rings + 1);
  const polyStart = new Int32Array(polygons.length + 1);
  let v = 0;
  let r = 0;
  for (let p = 0; p < polygons.length; p++) {
    polyStart[p] = r;
    for (const ring of polygons[p]) {
      ringStart[r++] = v;
      for (const vertex of ring) {
        xy[2 * v] = lon(vertex);
        xy[2 * v + 1] = lat(vertex);
        v++;
      }
    }
  }
  ringStart[rings] = v;
  polyStart[polygons.length] = rings;
  return withBBox(xy, ringStart, polyStart);
}

/** Completes a FlatMultiPolygon from its arrays by measuring the bounding box. */
export function withBBox(xy: Float64Array, ringStart: Int32Array, polyStart: Int32Array): FlatMultiPolygon {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i];
    const y = xy[i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { xy, ringStart, polyStart, minX, minY, maxX, maxY };
}

/**
 * Signed area in m² of the ring on vertices start .. end) of `xy` (closed: last vertex = first);
 * positive when counter-clockwise.
 *
 * Shoelace in cylindrical equal-area coordinates (λ, sin φ), scaled by the WGS84 Gaussian radius of curvature √(MN)
 * at the ring's mean latitude. Against the ellipsoidal area this is exact up to the change of curvature across the
 * ring (< 1e-6 for a city), where a sphere of mean radius (turf's area) is 0.24 % low at Harbin's latitude.
 */
export function ringArea(xy: Float64Array, start: number, end: number): number {
  if (end - start < 4) return 0;
  const lon0 = xy[2 * start];
  const sin0 = Math.sin(xy[2 * start + 1] * RAD);
  // Coordinates relative to the first vertex keep the shoelace terms small, so tiny footprints keep their precision.
  let sum = 0;
  let sinSum = 0;
  let px = 0;
  let py = 0;
  for (let v = start + 1; v < end; v++) {
    const x = (xy[2 * v] - lon0) * RAD;
    const y = Math.sin(xy[2 * v + 1] * RAD) - sin0;
    sum += px * y - x * py;
    sinSum += y;
    px = x;
    py = y;
  }
  const sinMean = sin0 + sinSum / (end - start - 1);
  const w = 1 - WGS84_E2 * sinMean * sinMean;
  return ((sum / 2) * WGS84_A * WGS84_A * (1 - WGS84_E2)) / (w * w);
}

/** Area in m² of a multipolygon: outer rings minus holes, whatever their orientation. */
export function area(fp: FlatMultiPolygon): number {
  let total = 0;
  for (let p = 0; p + 1 < fp.polyStart.length; p++) total += polygonArea(fp, p);
  return total;
}

/** Area in m² of polygon p of a multipolygon (its outer ring minus its holes). */
export function polygonArea(fp: FlatMultiPolygon, p: number): number {
  let a = 0;
  for (let r = fp.polyStart[p]; r < fp.polyStart[p + 1]; r++) {
    const ra = Math.abs(ringArea(fp.xy, fp.ringStart[r], fp.ringStart[r + 1]));
    a += r === fp.polyStart[p] ? ra : -ra;
  }
  return a;
}

/** Whether (x, y) lies inside the ring on vertices start .. end) of `xy` (ray casting; boundary points fall either way). */
export function ringContains(xy: Float64Array, start: number, end: number, x: number, y: number): boolean {
  let inside = false;
  for (let i = start, j = end - 1; i < end; j = i++) {
    const yi = xy[2 * i + 1];
    const yj = xy[2 * j + 1];
    if (yi > y !== yj > y) {
      const xi = xy[2 * i];
      if (x < ((xy[2 * j] - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * Whether (x, y) lies inside the multipolygon, holes excluded. Even-odd over all rings, so a point in a hole is
 * outside and a point on an island inside a hole is inside. Linear in the vertex count: for many queries against
 * one large polygon use `containment`.
 */
export function pointInMultiPolygon(fp: FlatMultiPolygon, x: number, y: number): boolean {
  if (x < fp.minX || x > fp.maxX || y < fp.minY || y > fp.maxY) return false;
  let inside = false;
  for (let r = 0; r + 1 < fp.ringStart.length; r++) {
    if (ringContains(fp.xy, fp.ringStart[r], fp.ringStart[r + 1], x, y)) inside = !inside;
  }
  return inside;
}

/**
 * A point-in-multipolygon test for repeated queries: edges are bucketed into horizontal bands, so one query looks
 * at about √n edges instead of n (a sub-district boundary has thousands of vertices and meets 10^5–10^6 buildings).
 * @example const inside = containment(flatten(community.polygon)); inside(126.63, 45.75);
 */
export function containment(fp: FlatMultiPolygon): (x: number, y: number) => boolean {
  const { xy, ringStart, minX, minY, maxX, maxY } = fp;
  const rings = ringStart.length - 1;
  const edgeCount = rings > 0 ? ringStart[rings] - rings : 0;
  const bands = Math.max(1, Math.min(4096, Math.ceil(Math.sqrt(edgeCount))));
  const bandHeight = (maxY - minY) / bands || 1;
  const bandOf = (y: number) => Math.min(bands - 1, Math.max(0, Math.floor((y - minY) / bandHeight)));

  // CSR of edges per band: count, prefix-sum, fill. An edge is named by its first vertex and ends at the next one.
  const eachEdgeBand = (visit: (band: number, edge: number) => void) => {
    for (let r = 0; r < rings; r++) {
      for (let v = ringStart[r]; v < ringStart[r + 1] - 1; v++) {
        const y0 = xy[2 * v + 1];
        const y1 = xy[2 * v + 3];
        const last = bandOf(Math.max(y0, y1));
        for (let b = bandOf(Math.min(y0, y1)); b <= last; b++) visit(b, v);
      }
    }
  };
  const bandStart = new Int32Array(bands + 1);
  eachEdgeBand((b) => bandStart[b + 1]++);
  for (let b = 0; b < bands; b++) bandStart[b + 1] += bandStart[b];
  const edges = new Int32Array(bandStart[bands]);
  const fill = bandStart.slice(0, bands);
  eachEdgeBand((b, v) => {
    edges[fill[b]++] = v;
  });

  return (x, y) => {
    if (x < minX || x > maxX || y < minY || y > maxY) return false;
    const b = bandOf(y);
    let inside = false;
    for (let k = bandStart[b]; k < bandStart[b + 1]; k++) {
      const i = edges[k];
      const yi = xy[2 * i + 1];
      const yj = xy[2 * i + 3];
      if (yi > y !== yj > y) {
        const xi = xy[2 * i];
        if (x < ((xy[2 * i + 2] - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  };
}

/**
 * Area-weighted centroid [lon, lat] of a multipolygon (holes subtracted). Computed in degrees: the centroid is
 * invariant under the affine local projection, so no projection is needed at building scale.
 * Falls back to the first vertex for a polygon without area.
 */
export function centroid(fp: FlatMultiPolygon): [number, number] {
  const { xy, ringStart, polyStart } = fp;
  if (xy.length === 0) return [NaN, NaN];
  const x0 = xy[0];
  const y0 = xy[1];
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let p = 0; p + 1 < polyStart.length; p++) {
    for (let r = polyStart[p]; r < polyStart[p + 1]; r++) {
      let ra = 0;
      let rx = 0;
      let ry = 0;
      for (let v = ringStart[r]; v < ringStart[r + 1] - 1; v++) {
        const xa = xy[2 * v] - x0;
        const ya = xy[2 * v + 1] - y0;
        const xb = xy[2 * v + 2] - x0;
        const yb = xy[2 * v + 3] - y0;
        const cross = xa * yb - xb * ya;
        ra += cross;
        rx += (xa + xb) * cross;
        ry += (ya + yb) * cross;
      }
      // Outer rings add and holes subtract whatever way each ring is wound.
      const sign = (r === polyStart[p]) === ra >= 0 ? 1 : -1;
      a += sign * ra;
      cx += sign * rx;
      cy += sign * ry;
    }
  }
  if (a === 0) return [x0, y0];
  return [x0 + cx / (3 * a), y0 + cy / (3 * a)];
}

/**
 * A point guaranteed to lie inside the multipolygon (in its largest polygon), for shapes too small or too thin to
 * hold a grid-cell centre; the centroid of a crescent lies outside it.
 * Scanline method as in GEOS InteriorPointArea: a horizontal line through the middle of the bounding box, moved
 * between two vertex latitudes so it crosses no vertex; the midpoint of the widest inside stretch is returned.
 */
export function interiorPoint(fp: FlatMultiPolygon): [number, number] {
  const { xy, ringStart, polyStart } = fp;
  let best = -1;
  let bestArea = -1;
  for (let p = 0; p + 1 < polyStart.length; p++) {
    const a = polygonArea(fp, p);
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  if (best < 0) return [NaN, NaN];
  const r0 = polyStart[best];
  const r1 = polyStart[best + 1];
  const v0 = ringStart[r0];
  const v1 = ringStart[r1];

  let minY = Infinity;
  let maxY = -Infinity;
  for (let v = ringStart[r0]; v < ringStart[r0 + 1]; v++) {
    minY = Math.min(minY, xy[2 * v + 1]);
    maxY = Math.max(maxY, xy[2 * v + 1]);
  }
  const mid = (minY + maxY) / 2;
  let below = minY;
  let above = maxY;
  for (let v = v0; v < v1; v++) {
    const y = xy[2 * v + 1];
    if (y <= mid && y > below) below = y;
    if (y > mid && y < above) above = y;
  }
  const scanY = (below + above) / 2;

  const xs: number[] = [];
  for (let r = r0; r < r1; r++) {
    for (let v = ringStart[r]; v < ringStart[r + 1] - 1; v++) {
      const ya = xy[2 * v + 1];
      const yb = xy[2 * v + 3];
      if (ya > scanY !== yb > scanY) {
        const xa = xy[2 * v];
        xs.push(xa + ((xy[2 * v + 2] - xa) * (scanY - ya)) / (yb - ya));
      }
    }
  }
  if (xs.length < 2) return [xy[2 * v0], xy[2 * v0 + 1]];
  xs.sort((a, b) => a - b);
  let bx = xs[0];
  let width = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > width) {
      width = xs[i + 1] - xs[i];
      bx = (xs[i] + xs[i + 1]) / 2;
    }
  }
  return [bx, scanY];
}

/**
 * For every point, the first polygon (in the order given) that holds it, or -1 — the rule
 * buildings follow for overlapping communities — and per polygon the points an earlier polygon
 * took (grids should tile an area; an overlap is a drawing error worth reporting).
 */
export function firstContaining(polygons: MultiPolygonCoords[], lon: ArrayLike<number>, lat: ArrayLike<number>): { owner: Int32Array; shared: Int32Array } {
  const owner = new Int32Array(lon.length).fill(-1);
  const shared = new Int32Array(polygons.length);
  if (polygons.length === 0) return { owner, shared };
  const shapes = polygons.map(flatten);
  const index = new Flatbush(shapes.length);
  for (const s of shapes) index.add(s.minX, s.minY, s.maxX, s.maxY);
  index.finish();
  const tests: Array<((x: number, y: number) => boolean) | undefined> = new Array(shapes.length);
  for (let i = 0; i < lon.length; i++) {
    // bounding-box hits in grid order, so the first that holds the centre owns it
    const candidates = index.search(lon[i], lat[i], lon[i], lat[i]).sort((a, b) => a - b);
    for (const g of candidates) {
      tests[g] ??= containment(shapes[g]);
      if (!tests[g]!(lon[i], lat[i])) continue;
      if (owner[i] < 0) owner[i] = g;
      else shared[g]++;
    }
  }
  return { owner, shared };
}

/**
 * Where a closed ring first crosses itself, or null: the crossing turf's `kinks` reports first (of
 * the lowest-numbered segment, with the lowest-numbered segment it meets; neighbouring segments and
 * the first with the last do not count), found without trying every pair. Segments are swept west to
 * east and each is tried only against those whose extent overlaps its own, so a boundary of 100,000
 * vertices takes milliseconds where `kinks` takes minutes; only a shape whose every edge spans the
 * others' (a comb) costs n² / 2 tries, as kinks always does. Vertices must not repeat consecutively.
 * @example firstSelfCrossing([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]) // [0.5, 0.5]
 */
export function firstSelfCrossing(ring: number[][]): [number, number] | null {
  const n = ring.length - 1; // segment s runs from ring[s] to ring[s + 1]
  if (n < 3) return null;
  const west = new Float64Array(n);
  const east = new Float64Array(n);
  const south = new Float64Array(n);
  const north = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const [x1, y1] = ring[s];
    const [x2, y2] = ring[s + 1];
    west[s] = Math.min(x1, x2);
    east[s] = Math.max(x1, x2);
    south[s] = Math.min(y1, y2);
    north[s] = Math.max(y1, y2);
  }
  const order = Int32Array.from({ length: n }, (_, s) => s).sort((a, b) => west[a] - west[b]);
  const active = new Int32Array(n);
  let count = 0;
  let bestI = n;
  let bestK = n;
  let best: [number, number] | null = null;
  for (const s of order) {
    let kept = 0;
    for (let r = 0; r < count; r++) {
      const a = active[r];
      if (east[a] < west[s]) continue; // entirely west of everything still to come
      active[kept++] = a;
      if (north[a] < south[s] || north[s] < south[a]) continue;
      const i = Math.min(a, s);
      const k = Math.max(a, s);
      if (k - i === 1 || (i === 0 && k === n - 1)) continue;
      if (i > bestI || (i === bestI && k > bestK)) continue;
      const p = segmentsCross(ring[i], ring[i + 1], ring[k], ring[k + 1]);
      if (p) {
        bestI = i;
        bestK = k;
        best = p;
      }
    }
    count = kept;
    active[count++] = s;
  }
  return best;
}

/** Where segment a1–a2 meets b1–b2, ends included, or null (parallel ones never meet): turf's formula, point along a. */
function segmentsCross(a1: number[], a2: number[], b1: number[], b2: number[]): [number, number] | null {
  const denominator = (b2[1] - b1[1]) * (a2[0] - a1[0]) - (b2[0] - b1[0]) * (a2[1] - a1[1]);
  if (denominator === 0) return null;
  const dy = a1[1] - b1[1];
  const dx = a1[0] - b1[0];
  const ta = ((b2[0] - b1[0]) * dy - (b2[1] - b1[1]) * dx) / denominator;
  const tb = ((a2[0] - a1[0]) * dy - (a2[1] - a1[1]) * dx) / denominator;
  if (!(ta >= 0 && ta <= 1 && tb >= 0 && tb <= 1)) return null;
  return [a1[0] + ta * (a2[0] - a1[0]), a1[1] + ta * (a2[1] - a1[1])];
}
