import { describe, expect, it } from 'vitest';
import { buildGraph } from '../server/core/graph.ts';
import { groupByEdge, nearest, walksheds, type Placed } from '../server/core/reach.ts';
import { Walker } from '../server/core/walk.ts';

// Hand-drawn fixture (metres):
//
//   A ---100--- B ---200--- C          D --50-- E   (an island)
//               |
//              60
//               |
//               F   and a self-loop at C of 40 m
//
// nodes A0 B1 C2 F3 D4 E5; edges e0 A-B 100, e1 B-C 200, e2 B-F 60, e3 C-C 40 (loop), e4 D-E 50
const from = Int32Array.of(0, 1, 1, 2, 4);
const to = Int32Array.of(1, 2, 3, 2, 5);
const len = Float64Array.of(100, 200, 60, 40, 50);
const g = buildGraph(6, from, to, len);
const placed = (rows: Array<[number, number, number]>): Placed => ({
  edge: Int32Array.from(rows.map((r) => r[0])),
  offset: Float64Array.from(rows.map((r) => r[1])),
  access: Float64Array.from(rows.map((r) => r[2])),
});

describe('walking along the network', () => {
  it('settles nodes from several seeds with the nearest seed as origin', () => {
    const w = new Walker(g);
    w.run([0, 2], [0, 0], [7, 9]);
    expect(Array.from(w.dist)).toEqual([0, 100, 0, 160, Infinity, Infinity]);
    expect(Array.from(w.origin)).toEqual([7, 7, 9, 7, -1, -1]);
  });

  it('stops at the cutoff and leaves no trace for the next run', () => {
    const w = new Walker(g);
    w.run([0], [0], [0], 150);
    expect(Array.from(w.dist)).toEqual([0, 100, Infinity, Infinity, Infinity, Infinity]);
    w.run([5], [0], [1]);
    expect(Array.from(w.dist)).toEqual([Infinity, Infinity, Infinity, Infinity, 50, 0]);
  });

  // facility f0 on A-B 30 m from A, 5 m off the street
  const facilities = placed([[0, 30, 5]]);
  const cells = placed([
    [0, 80, 0], // same edge, beyond the facility: 50 along the edge + 5 access
    [0, 10, 2], // same edge, behind the facility: 20 + 5 + 2 = 27
    [1, 50, 0], // partial edge B-C: 70 to B, then 50
    [2, 60, 0], // end of B-F: 70 + 60
    [3, 10, 0], // on the loop at C: 70 + 200 + 10 (either way round the 40 m loop: min(10, 30))
    [4, 25, 0], // the island: unreachable
    [-1, 0, 0], // not snapped
  ]);

  it('measures partial and same-edge walks exactly', () => {
    const near = nearest(g, facilities, [0], cells);
    expect(Array.from(near.dist)).toEqual([55, 27, 125, 135, 285, Infinity, Infinity]);
    expect(Array.from(near.source)).toEqual([0, 0, 0, 0, 0, -1, -1]);
  });

  it('takes the shorter way round a self-loop', () => {
    const loop = placed([[3, 35, 0]]);
    const near = nearest(g, facilities, [0], loop);
    // 30 + 5 to A-side... the facility is 70 + 5 from B, 270 + 5 from C; 35 m into the loop is 5 m back from C
    expect(Array.from(near.dist)).toEqual([280]);
  });

  it('collects a walkshed up to the cutoff, cells in ascending order', () => {
    const sheds = walksheds(g, facilities, cells, groupByEdge(g.edgeCount, cells), 130);
    expect(Array.from(sheds.offsets)).toEqual([0, 3]);
    expect(Array.from(sheds.target)).toEqual([0, 1, 2]);
    expect(Array.from(sheds.dist)).toEqual([55, 27, 125]);
  });

  it('picks the nearer of two facilities per cell, counting both access legs', () => {
    const two = placed([
      [0, 30, 5],
      [1, 190, 0], // 10 m from C
    ]);
    const near = nearest(g, two, [0, 1], cells);
    expect(Array.from(near.dist)).toEqual([55, 27, 125, 135, 20, Infinity, Infinity]);
    expect(Array.from(near.source)).toEqual([0, 0, 0, 0, 1, -1, -1]);
  });

  it('reports nothing for a facility that could not be snapped', () => {
    const none = placed([[-1, 0, 0]]);
    const near = nearest(g, none, [0], cells);
    expect(Array.from(near.dist).every((d) => d === Infinity)).toBe(true);
    const sheds = walksheds(g, none, cells, groupByEdge(g.edgeCount, cells), 1000);
    expect(Array.from(sheds.offsets)).toEqual([0, 0]);
  });
});
