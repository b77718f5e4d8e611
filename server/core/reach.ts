/**
 * Points placed on the network (facilities, cell centres) and walking distances between them.
 * A point sits on edge `edge` at `offset` metres from the edge's `from` node, `access` metres off
 * the network (the straight walk from the point to the street; 0 when not counted).
 * Partial edges count: two points on the same edge are |offset difference| apart along it.
 */
import type { Graph } from './graph.ts';
import { Walker } from './walk.ts';

export interface Placed {
  /** -1 for a point that could not be snapped (unreachable). */
  edge: Int32Array;
  offset: Float64Array;
  access: Float64Array;
}

/** CSR from edge to the points on it. */
export interface OnEdges {
  offsets: Int32Array;
  items: Int32Array;
}

/** Group point indices by edge (counting sort). Pass `subset` to group only some points. */
export function groupByEdge(edgeCount: number, p: Placed, subset?: ArrayLike<number>): OnEdges {
  const n = subset ? subset.length : p.edge.length;
  const at = (i: number) => (subset ? subset[i] : i);
  const offsets = new Int32Array(edgeCount + 1);
  for (let i = 0; i < n; i++) {
    const e = p.edge[at(i)];
    if (e >= 0) offsets[e + 1]++;
  }
  for (let e = 0; e < edgeCount; e++) offsets[e + 1] += offsets[e];
  const fill = offsets.slice(0, edgeCount);
  const items = new Int32Array(offsets[edgeCount]);
  for (let i = 0; i < n; i++) {
    const e = p.edge[at(i)];
    if (e >= 0) items[fill[e]++] = at(i);
  }
  return { offsets, items };
}

/** Seeds for a walk starting at the given points: both ends of each point's edge, labelled by point. */
export function walkSeeds(g: Graph, p: Placed, points: ArrayLike<number>) {
  const node: number[] = [];
  const dist: number[] = [];
  const label: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const f = points[i];
    const e = p.edge[f];
    if (e < 0) continue;
    node.push(g.edgeFrom[e], g.edgeTo[e]);
    dist.push(p.offset[f] + p.access[f], g.edgeLength[e] - p.offset[f] + p.access[f]);
    label.push(f, f);
  }
  return { node, dist, label };
}

/**
 * Walking distance from each source to every target within `cutoff` metres: per source, the
 * targets it reaches and their metres, as CSR (`offsets` has one entry per source + 1).
 */
export function walksheds(
  g: Graph,
  sources: Placed,
  targets: Placed,
  targetsOnEdge: OnEdges,
  cutoff: number,
  walker = new Walker(g),
): { offsets: Int32Array; target: Int32Array; dist: Float64Array } {
  const nSources = sources.edge.length;
  const best = new Float64Array(targets.edge.length).fill(Infinity);
  const seen: number[] = [];
  const offsets = new Int32Array(nSources + 1);
  let outTarget = new Int32Array(1024);
  let outDist = new Float64Array(1024);
  let count = 0;
  const { edgeFrom, edgeTo, edgeLength, offsets: arcOff, arcEdge } = g;
  const { offsets: teOff, items: teItems } = targetsOnEdge;
  const consider = (t: number, d: number) => {
    if (d > cutoff) return;
    if (best[t] === Infinity) seen.push(t);
    if (d < best[t]) best[t] = d;
  };
  for (let s = 0; s < nSources; s++) {
    const e0 = sources.edge[s];
    if (e0 >= 0) {
      const seeds = walkSeeds(g, sources, [s]);
      walker.run(seeds.node, seeds.dist, seeds.label, cutoff);
      const { dist, touched } = walker;
      for (let i = 0; i < walker.touchedCount; i++) {
        const u = touched[i];
        const du = dist[u];
        for (let k = arcOff[u]; k < arcOff[u + 1]; k++) {
          const e = arcEdge[k];
          for (let j = teOff[e]; j < teOff[e + 1]; j++) {
            const t = teItems[j];
            // a self-loop edge has u at both ends: try both directions
            if (edgeFrom[e] === u) consider(t, du + targets.offset[t] + targets.access[t]);
            if (edgeTo[e] === u) consider(t, du + edgeLength[e] - targets.offset[t] + targets.access[t]);
          }
        }
      }
      // targets on the source's own edge are reached along it without passing a node
      const base = sources.access[s];
      for (let j = teOff[e0]; j < teOff[e0 + 1]; j++) {
        const t = teItems[j];
        consider(t, base + Math.abs(targets.offset[t] - sources.offset[s]) + targets.access[t]);
      }
    }
    if (count + seen.length > outTarget.length) {
      const cap = Math.max(outTarget.length * 2, count + seen.length);
      const nt = new Int32Array(cap);
      nt.set(outTarget);
      outTarget = nt;
      const nd = new Float64Array(cap);
      nd.set(outDist);
      outDist = nd;
    }
    seen.sort((a, b) => a - b);
    for (const t of seen) {
      outTarget[count] = t;
      outDist[count++] = best[t];
      best[t] = Infinity;
    }
    seen.length = 0;
    offsets[s + 1] = count;
  }
  return { offsets, target: outTarget.slice(0, count), dist: outDist.slice(0, count) };
}

/**
 * For every target, the walking distance to the nearest of `sources` (a subset of source points,
 * e.g. one category's facilities) and which source that is; Infinity / -1 beyond `cutoff`.
 */
export function nearest(
  g: Graph,
  sourcePoints: Placed,
  sources: ArrayLike<number>,
  targets: Placed,
  cutoff = Infinity,
  walker = new Walker(g),
): { dist: Float64Array; source: Int32Array } {
  const n = targets.edge.length;
  const out = { dist: new Float64Array(n).fill(Infinity), source: new Int32Array(n).fill(-1) };
  const seeds = walkSeeds(g, sourcePoints, sources);
  if (seeds.node.length === 0) return out; // e.g. a category with no facility yet
  walker.run(seeds.node, seeds.dist, seeds.label, cutoff);
  const { dist, origin } = walker;
  const onEdge = groupByEdge(g.edgeCount, sourcePoints, sources);
  const { edgeFrom, edgeTo, edgeLength } = g;
  for (let t = 0; t < n; t++) {
    const e = targets.edge[t];
    if (e < 0) continue;
    const s = targets.offset[t];
    const a = targets.access[t];
    let best = dist[edgeFrom[e]] + s;
    let src = origin[edgeFrom[e]];
    const viaTo = dist[edgeTo[e]] + edgeLength[e] - s;
    if (viaTo < best) {
      best = viaTo;
      src = origin[edgeTo[e]];
    }
    for (let j = onEdge.offsets[e]; j < onEdge.offsets[e + 1]; j++) {
      const f = onEdge.items[j];
      const direct = sourcePoints.access[f] + Math.abs(sourcePoints.offset[f] - s);
      if (direct < best) {
        best = direct;
        src = f;
      }
    }
    best += a;
    if (best <= cutoff) {
      out.dist[t] = best;
      out.source[t] = src;
    }
  }
  return out;
}
