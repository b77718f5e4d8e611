import { describe, expect, it } from 'vitest';
import { buildGraph, components } from '../server/core/graph.ts';
import { Walker } from '../server/core/walk.ts';
import { tileGraph, tilePlaced, type PlaneGraph } from '../scripts/bench/tile.ts';

// Hand-drawn fixture (metres): bounding box 100 × 100.
//
//   C (30,100)
//    \ 105
//     A (0,0) ---110--- B (100,20)
//
// nodes A0 B1 C2; edges e0 A-B 110, e1 A-C 105 (walking lengths, not straight lines).
// With a 10 m band, B is the only node near the east side and A the only one near the west side
// (B's y = 20 keeps it out of the south band); C is the only one near the north side.
const base: PlaneGraph = {
  nodeCount: 3,
  x: Float64Array.of(0, 100, 30),
  y: Float64Array.of(0, 20, 100),
  edgeFrom: Int32Array.of(0, 0),
  edgeTo: Int32Array.of(1, 2),
  edgeLength: Float64Array.of(110, 105),
};

describe('tiling a graph into a synthetic metropolis', () => {
  const t = tileGraph(base, 2, 2, { bandM: 10 });

  it('copies every node and edge once per tile and appends one stitch per seam pair', () => {
    expect(t.nodeCount).toBe(12);
    expect(t.tiles).toBe(4);
    expect(t.tileNodes).toBe(3);
    expect(t.tileEdges).toBe(2);
    expect(t.stitchCount).toBe(4);
    expect(t.edgeFrom.length).toBe(12);
  });

  it('numbers tile t = row × nx + column and moves it by whole widths and heights', () => {
    expect(Array.from(t.edgeFrom.subarray(0, 8))).toEqual([0, 0, 3, 3, 6, 6, 9, 9]);
    expect(Array.from(t.edgeTo.subarray(0, 8))).toEqual([1, 2, 4, 5, 7, 8, 10, 11]);
    // B of tile 3 (column 1, row 1)
    expect([t.x[10], t.y[10]]).toEqual([200, 120]);
  });

  it('joins east sides to the next tile east, then north sides to the next tile north, as long as the gap', () => {
    // B0→A1 and B2→A3 across the east seams (gap: 20 m south), C0→A2 and C1→A3 across the north seams (30 m west)
    expect(Array.from(t.edgeFrom.subarray(8))).toEqual([1, 7, 2, 5]);
    expect(Array.from(t.edgeTo.subarray(8))).toEqual([3, 9, 6, 9]);
    expect(Array.from(t.edgeLength.subarray(8))).toEqual([20, 20, 30, 30]);
  });

  it('gives one connected network that walks cross', () => {
    const g = buildGraph(t.nodeCount, t.edgeFrom, t.edgeTo, t.edgeLength);
    expect(Array.from(components(g).size)).toEqual([12]);
    const w = new Walker(g);
    w.run([0], [0], [0]);
    // A0 → B0 → A1 → C1 → A3, or A0 → C0 → A2 → B2 → A3: 110 + 20 + 105 + 30 = 265 either way
    expect(w.dist[9]).toBe(265);
  });

  it('copies placed points onto the same edge of every tile and keeps unplaced ones unplaced', () => {
    const p = tilePlaced({ edge: Int32Array.of(1, -1), offset: Float64Array.of(5, 0), access: Float64Array.of(2, 7) }, t.tileEdges, t.tiles);
    expect(Array.from(p.edge)).toEqual([1, -1, 3, -1, 5, -1, 7, -1]);
    expect(Array.from(p.offset)).toEqual([5, 0, 5, 0, 5, 0, 5, 0]);
    expect(Array.from(p.access)).toEqual([2, 7, 2, 7, 2, 7, 2, 7]);
  });

  it('makes no stitches for a single tile', () => {
    const one = tileGraph(base, 1, 1, { bandM: 10 });
    expect(one.stitchCount).toBe(0);
    expect(Array.from(one.edgeFrom)).toEqual([0, 0]);
  });
});
