/**
 * Chinese map coordinate systems → WGS84.
 *
 * Amap/Tencent (GCJ-02) and Baidu (BD-09) publish coordinates shifted from WGS84 by a fixed, public
 * obfuscation formula; planners' files often come from those maps. Only the forward formulas are
 * published, so we invert them by fixed-point iteration: the shift varies by < 1e-5 of itself per
 * degree, so each step gains about five digits and three or four steps reach 1e-10° (~0.01 mm).
 */

export type Crs = 'wgs84' | 'gcj02' | 'bd09';

/** Krasovsky 1940 ellipsoid, which the GCJ-02 formula is written against. */
const A = 6378245.0;
const EE = 0.00669342162296594323;
const PI = Math.PI;
/** Baidu's published constant: π × 3000 / 180. */
const X_PI = (PI * 3000.0) / 180.0;
const TOLERANCE_DEG = 1e-10;
const MAX_STEPS = 30;

/** GCJ-02 is defined as the identity outside mainland China's box; the same box every implementation uses. */
function outsideChina(lon: number, lat: number): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function shiftLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * PI) + 320 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function shiftLon(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return ret;
}

/** The published WGS84 → GCJ-02 formula. */
export function wgs84ToGcj02(lon: number, lat: number): [number, number] {
  if (outsideChina(lon, lat)) return [lon, lat];
  const radLat = (lat / 180.0) * PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (shiftLat(lon - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
  const dLon = (shiftLon(lon - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
  return [lon + dLon, lat + dLat];
}

/** The published GCJ-02 → BD-09 formula. */
export function gcj02ToBd09(lon: number, lat: number): [number, number] {
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** Solve forward(x) = target for x, starting at the target: x ← x − (forward(x) − target). */
function invert(forward: (lon: number, lat: number) => [number, number], lon: number, lat: number): [number, number] {
  let x = lon;
  let y = lat;
  for (let step = 0; step < MAX_STEPS; step++) {
    const [fx, fy] = forward(x, y);
    const dx = fx - lon;
    const dy = fy - lat;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < TOLERANCE_DEG && Math.abs(dy) < TOLERANCE_DEG) break;
  }
  return [x, y];
}

/** GCJ-02 (Amap, Tencent) → WGS84, by inverting the forward formula. */
export function gcj02ToWgs84(lon: number, lat: number): [number, number] {
  return invert(wgs84ToGcj02, lon, lat);
}

/** BD-09 (Baidu) → GCJ-02, by inverting the forward formula (Baidu's own reverse formula is approximate). */
export function bd09ToGcj02(lon: number, lat: number): [number, number] {
  return invert(gcj02ToBd09, lon, lat);
}

/** BD-09 (Baidu) → WGS84. */
export function bd09ToWgs84(lon: number, lat: number): [number, number] {
  const [gLon, gLat] = bd09ToGcj02(lon, lat);
  return gcj02ToWgs84(gLon, gLat);
}

/**
 * Convert a position in any supported system to WGS84 lon/lat degrees.
 * @example toWgs84(126.6425, 45.7596, 'gcj02') // ≈ [126.63654, 45.75766], central Harbin
 */
export function toWgs84(lon: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'gcj02') return gcj02ToWgs84(lon, lat);
  if (crs === 'bd09') return bd09ToWgs84(lon, lat);
  return [lon, lat];
}
