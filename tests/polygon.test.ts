import { describe, expect, it } from 'vitest';
import { area, centroid, containment, flatten, interiorPoint, pointInMultiPolygon, ringArea } from '../server/core/polygon.ts';
import type { MultiPolygonCoords } from '../server/core/types.ts';

/** A closed axis-aligned rectangle ring, counter-clockwise. */
const rect = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const ringOf = (coords: number[][]) => Float64Array.from(coords.flat());

// WGS84: 0.01° of longitude on the equator is a·π/18000; 0.01° of latitude there is a(1 − e²)·π/18000.
const A = 6_378_137;
const E2 = 0.006_694_379_990_14;
const EQUATOR_SQUARE_M2 = ((A * Math.PI) / 18000) * ((A * (1 - E2) * Math.PI) / 18000); // 1,230,907 m²

describe('ringArea', () => {
  it('gives a 0.01° square on the equator the area of its sides on the WGS84 ellipsoid, to 1e-5', () => {
    const a = ringArea(ringOf(rect(0, 0, 0.01, 0.01)), 0, 5);
    expect(Math.abs(a / EQUATOR_SQUARE_M2 - 1)).toBeLessThan(1e-5);
  });

  it('is negative for a clockwise ring', () => {
    const a = ringArea(ringOf(rect(0, 0, 0.01, 0.01).reverse()), 0, 5);
    expect(Math.abs(-a / EQUATOR_SQUARE_M2 - 1)).toBeLessThan(1e-5);
  });

  it('matches the closed-form ellipsoidal zone area for a 0.1° cell in Harbin to 1e-6', () => {
    // Area between the equator and latitude φ per radian of longitude: a²/2 · q(φ) (Snyder, Map Projections, eq. 3-12).
    const e = Math.sqrt(E2);
    const q = (deg: number) => {
      const s = Math.sin((deg * Math.PI) / 180);
      return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * e)) * Math.log((1 - e * s) / (1 + e * s)));
    };
    const expected = ((A * A) / 2) * (q(45.8) - q(45.7)) * ((0.1 * Math.PI) / 180);
    const a = ringArea(ringOf(rect(126.6, 45.7, 126.7, 45.8)), 0, 5);
    expect(Math.abs(a / expected - 1)).toBeLessThan(1e-6);
  });

  it('reads the ring from a vertex range of a longer array', () => {
    const xy = Float64Array.from([9, 9, ...rect(0, 0, 0.01, 0.01).flat(), 9, 9]);
    expect(Math.abs(ringArea(xy, 1, 6) / EQUATOR_SQUARE_M2 - 1)).toBeLessThan(1e-5);
  });
});

describe('area', () => {
  it('subtracts holes whichever way the rings are wound', () => {
    const mp: MultiPolygonCoords = [[rect(0, 0, 0.02, 0.02), rect(0.005, 0.005, 0.015, 0.015)]];
    expect(Math.abs(area(flatten(mp)) / (3 * EQUATOR_SQUARE_M2) - 1)).toBeLessThan(1e-5);
    const clockwiseOuter: MultiPolygonCoords = [[rect(0, 0, 0.02, 0.02).reverse(), rect(0.005, 0.005, 0.015, 0.015)]];
    expect(Math.abs(area(flatten(clockwiseOuter)) / (3 * EQUATOR_SQUARE_M2) - 1)).toBeLessThan(1e-5);
  });

  it('adds the polygons of a multipolygon', () => {
    const mp: MultiPolygonCoords = [[rect(0, 0, 0.01, 0.01)], [rect(0.02, 0, 0.03, 0.01)]];
    expect(Math.abs(area(flatten(mp)) / (2 * EQUATOR_SQUARE_M2) - 1)).toBeLessThan(1e-5);
  });
});

describe('flatten', () => {
  it('lays out vertices, ring and polygon offsets and the bounding box', () => {
    const fp = flatten([[rect(0, 0, 4, 4), rect(1, 1, 2, 2)], [rect(10, -1, 11, 0)]]);
    expect(Array.from(fp.ringStart)).toEqual([0, 5, 10, 15]);
    expect(Array.from(fp.polyStart)).toEqual([0, 2, 3]);
    expect([fp.minX, fp.minY, fp.maxX, fp.maxY]).toEqual([0, -1, 11, 4]);
    expect(Array.from(fp.xy.subarray(20, 24))).toEqual([10, -1, 11, -1]);
  });
});

describe('pointInMultiPolygon and containment', () => {
  // A square with a hole, an island inside the hole, and a second square to the east.
  const mp: MultiPolygonCoords = [[rect(0, 0, 6, 6), rect(1, 1, 5, 5)], [rect(2, 2, 4, 4)], [rect(10, 0, 11, 1)]];
  const points: Array<[string, number, number, boolean]> = [
    ['in the ring around the hole', 0.5, 3, true],
    ['in the hole', 1.5, 3, false],
    ['on the island in the hole', 3, 3, true],
    ['in the second square', 10.5, 0.5, true],
    ['between the squares', 8, 0.5, false],
    ['outside the bounding box', -1, 3, false],
  ];

  it('respects holes and islands in holes', () => {
    const fp = flatten(mp);
    expect(points.map(([, x, y]) => pointInMultiPolygon(fp, x, y))).toEqual(points.map(([, , , inside]) => inside));
  });

  it('gives the same answers through the banded index', () => {
    const inside = containment(flatten(mp));
    expect(points.map(([, x, y]) => inside(x, y))).toEqual(points.map(([, , , expected]) => expected));
  });

  it('tells inside from outside just across the boundary of a 1000-sided circle', () => {
    const ring = Array.from({ length: 1001 }, (_, i) => [Math.cos((2 * Math.PI * (i % 1000)) / 1000), Math.sin((2 * Math.PI * (i % 1000)) / 1000)]);
    const inside = containment(flatten([[ring]]));
    // A 1000-gon's edges sag at most 1 − cos(π/1000) ≈ 4.9e-6 inside the circle.
    const angles = [0.1, 1, 2, 3, 4, 5, 6];
    expect(angles.map((t) => inside(0.9999 * Math.cos(t), 0.9999 * Math.sin(t)))).toEqual(angles.map(() => true));
    expect(angles.map((t) => inside(1.0001 * Math.cos(t), 1.0001 * Math.sin(t)))).toEqual(angles.map(() => false));
  });
});

describe('centroid', () => {
  it('weights the parts of an L-shape by their area', () => {
    const l = [
      [0, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 2],
      [0, 2],
      [0, 0],
    ];
    const [x, y] = centroid(flatten([[l]]));
    expect(x).toBeCloseTo(5 / 6, 12);
    expect(y).toBeCloseTo(5 / 6, 12);
  });

  it('subtracts a hole: a 4×4 square without the unit square at (1, 1) has its centroid at 30.5/15', () => {
    const [x, y] = centroid(flatten([[rect(0, 0, 4, 4), rect(1, 1, 2, 2)]]));
    expect(x).toBeCloseTo(30.5 / 15, 12);
    expect(y).toBeCloseTo(30.5 / 15, 12);
  });
});

describe('interiorPoint', () => {
  const u = [
    [0, 0],
    [3, 0],
    [3, 3],
    [2, 3],
    [2, 1],
    [1, 1],
    [1, 3],
    [0, 3],
    [0, 0],
  ];

  it('finds a point inside a U-shape whose centroid lies in the notch', () => {
    const fp = flatten([[u]]);
    const [cx, cy] = centroid(fp);
    expect(pointInMultiPolygon(fp, cx, cy)).toBe(false);
    // Scanline at y = 2, midway between the vertex latitudes 1 and 3; the left arm [0, 1] is the first widest stretch.
    expect(interiorPoint(fp)).toEqual([0.5, 2]);
  });

  it('uses the largest polygon of a multipolygon', () => {
    expect(interiorPoint(flatten([[rect(0, 0, 1, 1)], [rect(10, 0, 14, 4)]]))).toEqual([12, 2]);
  });

  it('avoids a hole crossing the middle', () => {
    expect(interiorPoint(flatten([[rect(0, 0, 4, 4), rect(1, 1, 3, 3)]]))).toEqual([0.5, 2]);
  });
});
