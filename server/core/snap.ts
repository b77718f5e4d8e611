/**
 * Snap points to the nearest point on the nearest network edge (not the nearest junction: on the
 * Harbin data that would move points by a median 87 m, see domain.md). Only edges in components
 * of at least `minComponentNodes` nodes are candidates, so nothing lands on a two-node island.
 */
import Flatbush from 'flatbush';
import type { Network } from '../ingest/network.ts';
import { components, type Graph } from './graph.ts';
import { localProjection } from './geo.ts';

export interface SnapOptions {
  /** Points farther than this from every candidate edge are unreachable. */
  maxSnapM: number;
  /** Edges in smaller components are not snapped to. */
  minComponentNodes: number;
}

export const DEFAULT_SNAP: SnapOptions = { maxSnapM: 300, minComponentNodes: 50 };

/** Where each point landed. `edge` is -1 for a point beyond `maxSnapM` (unreachable). */
export interface Snapped {
  edge: Int32Array;
  /** Metres along the edge from its `from` node. */
  offset: Float64Array;
  /** Straight-line metres from the point to the edge. */
  distance: Float64Array;
  lon: Float64Array;
  lat: Float64Array;
}

/** A reusable index over the segments of the candidate edges. */
export class EdgeIndex {
  private readonly index: Flatbush;
  private readonly segEdge: Int32Array;
  private readonly segStart: Int32Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  /** Metres from the edge's `from` node to each geometry vertex. */
  private readonly along: Float64Array;
  private readonly proj: ReturnType<typeof localProjection>;

  constructor(
    net: Network,
    graph: Graph,
    private readonly opts: SnapOptions = DEFAULT_SNAP,
  ) {
    const { component, size } = components(graph);
    const lat0 = net.nodeCount ? net.nodeLat.reduce((a, b) => a + b, 0) / net.nodeCount : 0;
    const lon0 = net.nodeCount ? net.nodeLon.reduce((a, b) => a + b, 0) / net.nodeCount : 0;
    this.proj = localProjection(lat0, lon0);
    const { geomOffsets: go, geomLon, geomLat } = net;
    const nv = geomLon.length;
    this.x = new Float64Array(nv);
    this.y = new Float64Array(nv);
    this.along = new Float64Array(nv);
    for (let i = 0; i < nv; i++) [this.x[i], this.y[i]] = this.proj.toXY(geomLon[i], geomLat[i]);

    let segCount = 0;
    for (let e = 0; e < net.edgeCount; e++) {
      if (size[component[net.edgeFrom[e]]] >= opts.minComponentNodes) segCount += go[e + 1] - go[e] - 1;
    }
    this.segEdge = new Int32Array(segCount);
    this.segStart = new Int32Array(segCount);
    this.index = new Flatbush(Math.max(segCount, 1));
    let s = 0;
    for (let e = 0; e < net.edgeCount; e++) {
      // Offsets along the edge are its own haversine length scaled onto the projected vertices,
      // so a point snapped at the far end sits exactly at edgeLength.
      let acc = 0;
      for (let i = go[e] + 1; i < go[e + 1]; i++) {
        acc += Math.hypot(this.x[i] - this.x[i - 1], this.y[i] - this.y[i - 1]);
        this.along[i] = acc;
      }
      const scale = acc > 0 ? net.edgeLength[e] / acc : 0;
      for (let i = go[e]; i < go[e + 1]; i++) this.along[i] *= scale;
      if (size[component[net.edgeFrom[e]]] < opts.minComponentNodes) continue;
      for (let i = go[e]; i < go[e + 1] - 1; i++) {
        this.segEdge[s] = e;
        this.segStart[s++] = i;
        this.index.add(
          Math.min(this.x[i], this.x[i + 1]),
          Math.min(this.y[i], this.y[i + 1]),
          Math.max(this.x[i], this.x[i + 1]),
          Math.max(this.y[i], this.y[i + 1]),
        );
      }
    }
    if (segCount === 0) this.index.add(Infinity, Infinity, Infinity, Infinity);
    this.index.finish();
  }

  /** Snap many points given as parallel lon/lat arrays. */
  snapAll(lon: ArrayLike<number>, lat: ArrayLike<number>): Snapped {
    const n = lon.length;
    const out: Snapped = {
      edge: new Int32Array(n),
      offset: new Float64Array(n),
      distance: new Float64Array(n),
      lon: new Float64Array(n),
      lat: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) this.snapInto(lon[i], lat[i], out, i);
    return out;
  }

  private snapInto(lon: number, lat: number, out: Snapped, i: number) {
    const [px, py] = this.proj.toXY(lon, lat);
    const { x, y, segStart, segEdge } = this;
    let best = Infinity;
    let bestSeg = -1;
    let bestT = 0;
    // Flatbush returns segments by bounding-box distance, a lower bound of the true distance:
    // once the k-th box is farther than the best true distance, no later segment can win.
    for (let k = 16; ; k *= 4) {
      const found = this.index.neighbors(px, py, k, this.opts.maxSnapM);
      for (const s of found) {
        const a = segStart[s];
        const dx = x[a + 1] - x[a];
        const dy = y[a + 1] - y[a];
        const len2 = dx * dx + dy * dy;
        let t = len2 > 0 ? ((px - x[a]) * dx + (py - y[a]) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const d = Math.hypot(x[a] + t * dx - px, y[a] + t * dy - py);
        if (d < best || (d === best && s < bestSeg)) {
          best = d;
          bestSeg = s;
          bestT = t;
        }
      }
      if (found.length < k) break;
      const last = found[found.length - 1];
      const a = segStart[last];
      const bx = Math.max(Math.min(x[a], x[a + 1]) - px, px - Math.max(x[a], x[a + 1]), 0);
      const by = Math.max(Math.min(y[a], y[a + 1]) - py, py - Math.max(y[a], y[a + 1]), 0);
      if (Math.hypot(bx, by) >= best) break;
    }
    if (bestSeg < 0 || best > this.opts.maxSnapM) {
      out.edge[i] = -1;
      out.offset[i] = 0;
      out.distance[i] = best;
      out.lon[i] = lon;
      out.lat[i] = lat;
      return;
    }
    const a = segStart[bestSeg];
    const e = segEdge[bestSeg];
    out.edge[i] = e;
    out.offset[i] = this.along[a] + bestT * (this.along[a + 1] - this.along[a]);
    out.distance[i] = best;
    const [sx, sy] = [x[a] + bestT * (x[a + 1] - x[a]), y[a] + bestT * (y[a + 1] - y[a])];
    [out.lon[i], out.lat[i]] = this.proj.toLonLat(sx, sy);
  }
}
