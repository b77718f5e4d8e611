import { describe, expect, it } from 'vitest';
import { length as turfLength, lineString } from '@turf/turf';
import { buildNetwork, isWalkable } from '../server/ingest/network.ts';
import { osmFixture } from './fixtures/osm/build.ts';

// A small grid near Harbin. Nodes 1-2-3 run east along a residential street; 4-2-5 cross it
// north-south as a footway; 6-7 is a motorway; 8-9 a private service road opened by foot=yes;
// 10-11 a trunk with motorroad=yes; 12-13-14-15 a path whose node 14 lies outside the extract.
const nodes: Array<[number, number, number]> = [
  [1, 126.60, 45.75], [2, 126.601, 45.75], [3, 126.603, 45.75],
  [4, 126.601, 45.749], [5, 126.601, 45.7515],
  [6, 126.61, 45.76], [7, 126.611, 45.76],
  [8, 126.62, 45.76], [9, 126.621, 45.7605],
  [10, 126.63, 45.76], [11, 126.631, 45.76],
  [12, 126.64, 45.76], [13, 126.641, 45.76], [15, 126.643, 45.76], [16, 126.644, 45.76],
];
const osm = osmFixture({
  nodes,
  ways: [
    { id: 100, refs: [1, 2, 3], tags: { highway: 'residential' } },
    { id: 101, refs: [4, 2, 5], tags: { highway: 'footway' } },
    { id: 102, refs: [6, 7], tags: { highway: 'motorway' } },
    { id: 103, refs: [8, 9], tags: { highway: 'service', access: 'private', foot: 'yes' } },
    { id: 104, refs: [10, 11], tags: { highway: 'trunk', motorroad: 'yes' } },
    { id: 105, refs: [12, 13, 14, 15, 16], tags: { highway: 'path' } },
    { id: 106, refs: [1, 4], tags: { highway: 'footway', foot: 'no' } },
    { id: 107, refs: [3, 5], tags: { building: 'yes' } },
  ],
});
const metres = (...ids: number[]) => {
  const at = new Map(nodes.map(([id, lon, lat]) => [id, [lon, lat]]));
  return turfLength(lineString(ids.map((id) => at.get(id)!)), { units: 'kilometers' }) * 1000;
};

describe('the walking network', () => {
  it('keeps streets and paths and drops motorways, motorroads, foot=no and private ways', () => {
    expect(isWalkable({ highway: 'residential' })).toBe(true);
    expect(isWalkable({ highway: 'motorway' })).toBe(false);
    expect(isWalkable({ highway: 'trunk', motorroad: 'yes' })).toBe(false);
    expect(isWalkable({ highway: 'footway', foot: 'no' })).toBe(false);
    expect(isWalkable({ highway: 'service', access: 'private' })).toBe(false);
    expect(isWalkable({ highway: 'service', access: 'private', foot: 'yes' })).toBe(true);
    expect(isWalkable({ highway: 'service', access: 'no', foot: 'designated' })).toBe(true);
    expect(isWalkable({ building: 'yes' })).toBe(false);
  });

  it('splits ways where they share a node and cuts them where nodes are missing', () => {
    const net = buildNetwork(osm);
    const osmIdOf = (g: number) => net.nodeOsmId[g];
    // edges come in spatial order; compare them as a set, in way order
    const edges = Array.from({ length: net.edgeCount }, (_, e) => [osmIdOf(net.edgeFrom[e]), osmIdOf(net.edgeTo[e]), net.edgeWayId[e]]);
    edges.sort((a, b) => a[2] - b[2] || a[0] - b[0]);
    expect(edges).toEqual([
      [1, 2, 100], [2, 3, 100],
      [2, 5, 101], [4, 2, 101],
      [8, 9, 103],
      [12, 13, 105], [15, 16, 105],
    ]);
    expect(Array.from(net.nodeOsmId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 8, 9, 12, 13, 15, 16]);
  });

  it('measures each piece along its geometry and keeps its vertices', () => {
    const net = buildNetwork(osm);
    const at = new Map(nodes.map(([id, lon]) => [id, lon]));
    for (let e = 0; e < net.edgeCount; e++) {
      const a = net.nodeOsmId[net.edgeFrom[e]];
      const b = net.nodeOsmId[net.edgeTo[e]];
      expect(Math.abs(net.edgeLength[e] - metres(a, b))).toBeLessThan(1e-6);
      // two vertices each, the first at the from node and the last at the to node
      expect(net.geomOffsets[e + 1] - net.geomOffsets[e]).toBe(2);
      expect([net.geomLon[net.geomOffsets[e]], net.geomLon[net.geomOffsets[e] + 1]]).toEqual([at.get(a), at.get(b)]);
      if (net.edgeWayId[e] === 103) expect(net.highwayClasses[net.edgeClass[e]]).toBe('service');
    }
    expect(net.geomOffsets[net.edgeCount]).toBe(14);
  });
});
