import { readFileSync } from 'node:fs';
import { latLngToCell, cellToLatLng, polygonToCells } from 'h3-js';
import { readPbf } from '../server/ingest/pbf.ts';
import { buildNetwork } from '../server/ingest/network.ts';
import { buildGraph } from '../server/core/graph.ts';
import { EdgeIndex } from '../server/core/snap.ts';
import { walksheds, nearest, groupByEdge } from '../server/core/reach.ts';
import { Walker } from '../server/core/walk.ts';
const d = readPbf(readFileSync('data/harbin/harbin.osm.pbf'));
const n = buildNetwork(d);
const g = buildGraph(n.nodeCount, n.edgeFrom, n.edgeTo, n.edgeLength);
let t = performance.now();
const idx = new EdgeIndex(n, g);
console.log('index ms', performance.now() - t);
// facilities: tagged nodes with amenity school/hospital etc
const flon: number[] = [], flat: number[] = [];
for (const [i, tg] of d.nodeTags) if (['school','hospital','kindergarten','pharmacy','clinic'].includes(tg.amenity)) { flon.push(d.nodeLon[i]); flat.push(d.nodeLat[i]); }
for (let w = 0; w < d.wayTags.length; w++) if (['school','hospital','kindergarten'].includes(d.wayTags[w].amenity)) { const r = d.wayRefs[d.wayRefOffsets[w]]; if (r>=0) { flon.push(d.nodeLon[r]); flat.push(d.nodeLat[r]); } }
console.log('facilities', flon.length);
const cells = polygonToCells([[45.6579,126.5061],[45.6579,126.7719],[45.8309,126.7719],[45.8309,126.5061]], 10);
const clon = new Float64Array(cells.length), clat = new Float64Array(cells.length);
cells.forEach((c, i) => { const [la, lo] = cellToLatLng(c); clon[i] = lo; clat[i] = la; });
t = performance.now();
const fs = idx.snapAll(flon, flat);
const cs = idx.snapAll(clon, clat);
console.log('snap ms', performance.now() - t, 'cells', cells.length, 'unreachable cells', cs.edge.filter(e => e < 0).length);
const sorted = [...cs.distance].sort((a,b)=>a-b); console.log('cell snap dist median', sorted[sorted.length>>1], 'p90', sorted[Math.floor(sorted.length*0.9)]);
const F = { edge: fs.edge, offset: fs.offset, access: fs.distance };
const C = { edge: cs.edge, offset: cs.offset, access: cs.distance };
const onEdge = groupByEdge(g.edgeCount, C);
const walker = new Walker(g);
for (let r = 0; r < 7; r++) {
  t = performance.now();
  const ws = walksheds(g, F, C, onEdge, 1005, walker);
  const t1 = performance.now();
  const all = Int32Array.from({ length: flon.length }, (_, i) => i);
  for (let k = 0; k < 7; k++) nearest(g, F, all, C, Infinity, walker);
  console.log('walksheds ms', (t1 - t).toFixed(1), 'rows', ws.target.length, 'nearest x7 ms', (performance.now() - t1).toFixed(1));
}
{
  const seedsN: number[][] = [], seedsD: number[][] = [];
  for (let f = 0; f < flon.length; f++) { const e = F.edge[f]; if (e < 0) continue; seedsN.push([g.edgeFrom[e], g.edgeTo[e]]); seedsD.push([F.offset[f], g.edgeLength[e]-F.offset[f]]); }
  for (let r = 0; r < 5; r++) { const t0 = performance.now(); let tot = 0; for (let i = 0; i < seedsN.length; i++) { walker.run(seedsN[i], seedsD[i], [0,0], 1000); tot += walker.touchedCount; } console.log('dijkstra only ms', (performance.now()-t0).toFixed(1), 'settled', tot); }
}
