/**
 * The cells' colours and their hexagon mesh: a cell is within a tier exactly when the server
 * counts it covered (metres / speed ≤ tier), gaps are the weighted population beyond the tier, and
 * the triangles the WebGL layer draws cover each hexagon exactly once.
 */
import { describe, expect, it } from 'vitest';
import { cellToBoundary, gridDisk, latLngToCell } from 'h3-js';
import { cellColour, cellColours, scenarioDistances, type CellSelection } from '../web/src/map/cellStyle.ts';
import { translated, triangulate } from '../web/src/map/hexLayer.ts';

// hand-written from web/src/lib/palette.ts's hex values, not computed by the code under test
const RAMP_RGB = [[0x22, 0x5e, 0xa8], [0x41, 0xb6, 0xc4], [0xa1, 0xda, 0xb4], [0xf4, 0xf1, 0xc1]];
const GAP_RGB = [0xd1, 0x12, 0x7b];
const GAP_UNREACHABLE_RGB = [0x7d, 0x05, 0x52];
const GREY_RGB = [0x8c, 0x8c, 0x8c];

const selection: CellSelection = { category: 'school', tier: 10, speedMPerMin: 50, weighting: 'elderly', tiers: [5, 10, 15] };

function colour(s: CellSelection, props: { d_school: number; r: number; e: number }): number[] {
  return cellColour(s, props.d_school, props.r, props.e);
}

describe('the cell colours', () => {
  it('steps the walk at the tiers: 250 m at 50 m/min is 5 min, the first step', () => {
    expect(colour(selection, { d_school: 250, r: 10, e: 2 })).toEqual([...RAMP_RGB[0], 0.66]);
    expect(colour(selection, { d_school: 251, r: 10, e: 2 })).toEqual([...RAMP_RGB[1], 0.66]);
  });

  it('counts a cell exactly at the tier as covered, as the server does', () => {
    expect(colour(selection, { d_school: 500, r: 10, e: 2 })).toEqual([...RAMP_RGB[1], 0.66]);
    expect(colour(selection, { d_school: 501, r: 10, e: 2 })).toEqual([...GAP_RGB, 0.66]);
  });

  it('marks a gap only where the weighted group lives', () => {
    // beyond 10 min with residents but no elderly: with elderly weighting it is no gap, just far
    expect(colour(selection, { d_school: 700, r: 10, e: 0 })).toEqual([...RAMP_RGB[2], 0.24]);
    expect(colour({ ...selection, weighting: 'residents' }, { d_school: 700, r: 10, e: 0 })).toEqual([...GAP_RGB, 0.66]);
  });

  it('shades cells no facility can reach: darker gap when populated, grey when empty', () => {
    expect(colour(selection, { d_school: -1, r: 10, e: 3 })).toEqual([...GAP_UNREACHABLE_RGB, 0.66]);
    expect(colour(selection, { d_school: -1, r: 0, e: 0 })).toEqual([...GREY_RGB, 0.24]);
  });

  it('follows the speed: the same 600 m is within 10 min at 67 m/min and a gap at 50', () => {
    expect(colour({ ...selection, speedMPerMin: 67 }, { d_school: 600, r: 5, e: 1 })).toEqual([...RAMP_RGB[1], 0.66]);
    expect(colour(selection, { d_school: 600, r: 5, e: 1 })).toEqual([...GAP_RGB, 0.66]);
  });
});

describe('the colour bytes the layer uploads', () => {
  it('are premultiplied RGBA per cell, in the cells\' order, null metres unreachable', () => {
    const bytes = cellColours(selection, { residents: [10, 0], elderly: [2, 0], distM: { school: [250, null] } });
    // 0x22 × 0.66 = 22.44 → 22; 0x5e × 0.66 = 62.04 → 62; 0xa8 × 0.66 = 110.88 → 111; 0.66 × 255 = 168.3 → 168
    expect([...bytes.slice(0, 4)]).toEqual([22, 62, 111, 168]);
    // grey 0x8c × 0.24 = 33.6 → 34; 0.24 × 255 = 61.2 → 61
    expect([...bytes.slice(4, 8)]).toEqual([34, 34, 34, 61]);
  });
});

describe("a scenario's colours", () => {
  it('shows a cell the scenario knows no metres for as beyond reach when the baseline reaches it, unreachable when not', () => {
    // baseline: 300 m, 2000 m, unreachable, 400 m; the scenario knows metres only within its reach
    const merged = scenarioDistances([300, 2000, null, 400], [300, null, null, 120]);
    expect(merged).toEqual([300, Infinity, null, 120]);
    // beyond reach colours as beyond the tier (the gap), exactly as the baseline's 2000 m does
    expect(cellColour(selection, merged[1], 5, 1)).toEqual(cellColour(selection, 2000, 5, 1));
    expect(cellColour(selection, merged[1], 0, 0)).toEqual([...RAMP_RGB[3], 0.24]);
    expect(cellColour(selection, merged[2], 5, 1)).toEqual([...GAP_UNREACHABLE_RGB, 0.66]);
  });
});

describe('the hexagon mesh', () => {
  const shoelace = (pts: [number, number][]) => {
    let a = 0;
    for (let i = 0; i < pts.length; i++) {
      const [x1, y1] = pts[i];
      const [x2, y2] = pts[(i + 1) % pts.length];
      a += x1 * y2 - x2 * y1;
    }
    return Math.abs(a) / 2;
  };
  // Harbin centre, a cell and its ring: 7 hexagons
  const ids = gridDisk(latLngToCell(45.76, 126.63, 10), 1);
  const mesh = triangulate(ids);

  it('gives every cell its own vertices and a fan of n − 2 triangles covering exactly its area', () => {
    expect(mesh.firstVertex.length).toBe(ids.length + 1);
    expect(mesh.indices.length).toBe(ids.length * 4 * 3);
    ids.forEach((id, i) => {
      const ring = cellToBoundary(id);
      const [first, end] = [mesh.firstVertex[i], mesh.firstVertex[i + 1]];
      expect(end - first).toBe(ring.length);
      const at = (v: number): [number, number] => [mesh.positions[2 * v] + mesh.origin[0], mesh.positions[2 * v + 1] + mesh.origin[1]];
      // mercator of the ring, by the textbook formula
      const merc = ring.map(([lat, lon]): [number, number] => [(lon + 180) / 360, 0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / (2 * Math.PI)]);
      merc.forEach((p, k) => {
        expect(at(first + k)[0]).toBeCloseTo(p[0], 9);
        expect(at(first + k)[1]).toBeCloseTo(p[1], 9);
      });
      let triangles = 0;
      for (let t = 0; t < mesh.indices.length; t += 3) {
        const tri = [mesh.indices[t], mesh.indices[t + 1], mesh.indices[t + 2]];
        if (tri.every((v) => v >= first && v < end)) triangles += shoelace(tri.map(at));
        else expect(tri.some((v) => v >= first && v < end)).toBe(false);
      }
      // float32 offsets: areas agree to ~2e-6
      expect(triangles / shoelace(merc)).toBeCloseTo(1, 4);
    });
  });

  it('folds world size and origin into the matrix: M·(w·(p + origin)) = translated(M, w, origin)·p', () => {
    const m = Array.from({ length: 16 }, (_, i) => Math.sin(i + 1) * 1000);
    const [ox, oy] = [0.85, 0.37];
    const p = [1e-4, -2e-4];
    const mul = (mat: ArrayLike<number>, v: number[]) => [0, 1, 2, 3].map((r) => mat[r] * v[0] + mat[4 + r] * v[1] + mat[8 + r] * v[2] + mat[12 + r] * v[3]);
    const w = 512 * 2 ** 13.5;
    const expected = mul(m, [w * (p[0] + ox), w * (p[1] + oy), 0, 1]);
    const got = mul(translated(m, w, [ox, oy]), [p[0], p[1], 0, 1]);
    got.forEach((g, r) => expect(g / expected[r]).toBeCloseTo(1, 5));
  });
});
