/**
 * Bench cities: the Harbin sample as the coverage step sees it (graph, facilities and demand cells
 * placed on edges), and a synthetic metropolis made of nx × ny shifted copies of it, stitched at the
 * seams so walks cross from tile to tile.
 */
import Flatbush from 'flatbush';
import { buildGraph, type Graph } from '../../server/core/graph.ts';
import { localProjection } from '../../server/core/geo.ts';
import type { Placed } from '../../server/core/reach.ts';
import { buildCity, defaultOptions } from '../../server/pipeline.ts';
import { HARBIN_PBF } from '../../server/config.ts';

/** Everything the coverage step reads, plus node positions in metres (for tiling and stitching). */
export interface BenchCity {
  graph: Graph;
  x: Float64Array;
  y: Float64Array;
  facilities: Placed;
  facilityCategory: Int32Array;
  categories: string[];
  cells: Placed;
  /** What the demand cells are, for the printed report. */
  cellSource: string;
}

/**
 * Harbin as the pipeline builds it with the default options: its graph, facilities and H3 demand
 * cells placed on edges, `access` being the snap distance (the pipeline's default, countAccess).
 */
export function harbinCity(): BenchCity {
  const city = buildCity(defaultOptions(HARBIN_PBF));
  const placed = (s: { edge: Int32Array; offset: Float64Array; distance: Float64Array }): Placed => ({ edge: s.edge, offset: s.offset, access: s.distance });
  const categories = city.categories.categories.map((c) => c.id);
  return {
    graph: city.graph,
    ...project(city.network.nodeLon, city.network.nodeLat),
    facilities: placed(city.facilitySnap),
    facilityCategory: Int32Array.from(city.facilities, (f) => categories.indexOf(f.category)),
    categories,
    cells: placed(city.cellSnap),
    cellSource: `${city.demand.cells.length} H3 res-${city.options.resolution} community cells`,
  };
}

function project(lon: Float64Array, lat: Float64Array) {
  const p = localProjection(lat.reduce((a, b) => a + b, 0) / lat.length);
  const x = new Float64Array(lon.length);
  const y = new Float64Array(lon.length);
  for (let i = 0; i < lon.length; i++) [x[i], y[i]] = p.toXY(lon[i], lat[i]);
  return { x, y };
}

/** A graph drawn in the plane: nodes at (x, y) metres, edges with their walking length. */
export interface PlaneGraph {
  nodeCount: number;
  x: Float64Array;
  y: Float64Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeLength: Float64Array;
}

export interface Tiling extends PlaneGraph {
  tiles: number;
  /** Nodes and edges of one tile: node u of tile t is t × tileNodes + u, edge e is t × tileEdges + e. */
  tileNodes: number;
  tileEdges: number;
  /** Stitch edges follow the tiles' edges: [tiles × tileEdges, edgeCount). */
  stitchCount: number;
}

export interface TileOptions {
  /** Nodes this close to a tile's east (north) side are joined to the next tile. Default 100 m. */
  bandM?: number;
}

/**
 * Tile a plane graph nx × ny: tile (i, j) is the graph moved i widths east and j heights north
 * (width and height of the nodes' bounding box), numbered t = j × nx + i. Every node within `bandM`
 * of the east side is joined to the nearest node within `bandM` of the west side of the tile to its
 * east, by a straight edge as long as the gap; the same from north to south. The pairs are found once
 * on the base graph: every seam is the same seam.
 */
export function tileGraph(g: PlaneGraph, nx: number, ny: number, { bandM = 100 }: TileOptions = {}): Tiling {
  const n = g.nodeCount;
  const m = g.edgeFrom.length;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let u = 0; u < n; u++) {
    x0 = Math.min(x0, g.x[u]);
    x1 = Math.max(x1, g.x[u]);
    y0 = Math.min(y0, g.y[u]);
    y1 = Math.max(y1, g.y[u]);
  }
  const width = x1 - x0;
  const height = y1 - y0;
  const east = seamPairs(g, (u) => g.x[u] >= x1 - bandM, (u) => g.x[u] <= x0 + bandM, width, 0);
  const north = seamPairs(g, (u) => g.y[u] >= y1 - bandM, (u) => g.y[u] <= y0 + bandM, 0, height);

  const tiles = nx * ny;
  const stitchCount = (nx - 1) * ny * east.from.length + nx * (ny - 1) * north.from.length;
  const edgeCount = tiles * m + stitchCount;
  const out: Tiling = {
    nodeCount: tiles * n,
    x: new Float64Array(tiles * n),
    y: new Float64Array(tiles * n),
    edgeFrom: new Int32Array(edgeCount),
    edgeTo: new Int32Array(edgeCount),
    edgeLength: new Float64Array(edgeCount),
    tiles,
    tileNodes: n,
    tileEdges: m,
    stitchCount,
  };
  for (let t = 0; t < tiles; t++) {
    const dx = (t % nx) * width;
    const dy = Math.floor(t / nx) * height;
    for (let u = 0; u < n; u++) {
      out.x[t * n + u] = g.x[u] + dx;
      out.y[t * n + u] = g.y[u] + dy;
    }
    for (let e = 0; e < m; e++) {
      out.edgeFrom[t * m + e] = g.edgeFrom[e] + t * n;
      out.edgeTo[t * m + e] = g.edgeTo[e] + t * n;
      out.edgeLength[t * m + e] = g.edgeLength[e];
    }
  }
  let k = tiles * m;
  const stitch = (t: number, next: number, pairs: ReturnType<typeof seamPairs>) => {
    for (let p = 0; p < pairs.from.length; p++, k++) {
      out.edgeFrom[k] = t * n + pairs.from[p];
      out.edgeTo[k] = next * n + pairs.to[p];
      out.edgeLength[k] = pairs.length[p];
    }
  };
  for (let t = 0; t < tiles; t++) {
    if (t % nx < nx - 1) stitch(t, t + 1, east);
  }
  for (let t = 0; t < tiles; t++) {
    if (Math.floor(t / nx) < ny - 1) stitch(t, t + nx, north);
  }
  return out;
}

/** For each node on one side, the nearest node on the opposite side of the tile moved by (dx, dy). */
function seamPairs(g: PlaneGraph, onSide: (u: number) => boolean, onOpposite: (u: number) => boolean, dx: number, dy: number) {
  const side: number[] = [];
  const opposite: number[] = [];
  for (let u = 0; u < g.nodeCount; u++) {
    if (onSide(u)) side.push(u);
    if (onOpposite(u)) opposite.push(u);
  }
  const index = new Flatbush(Math.max(opposite.length, 1));
  for (const v of opposite) index.add(g.x[v] + dx, g.y[v] + dy, g.x[v] + dx, g.y[v] + dy);
  if (!opposite.length) index.add(Infinity, Infinity, Infinity, Infinity);
  index.finish();
  const from = new Int32Array(opposite.length ? side.length : 0);
  const to = new Int32Array(from.length);
  const length = new Float64Array(from.length);
  for (let p = 0; p < from.length; p++) {
    const u = side[p];
    const v = opposite[index.neighbors(g.x[u], g.y[u], 1)[0]];
    from[p] = u;
    to[p] = v;
    length[p] = Math.hypot(g.x[v] + dx - g.x[u], g.y[v] + dy - g.y[u]);
  }
  return { from, to, length };
}

/** Copy points placed on the base graph into every tile (edge e of tile t is t × tileEdges + e). */
export function tilePlaced(p: Placed, tileEdges: number, tiles: number): Placed {
  const k = p.edge.length;
  const out: Placed = { edge: new Int32Array(tiles * k), offset: new Float64Array(tiles * k), access: new Float64Array(tiles * k) };
  for (let t = 0; t < tiles; t++) {
    for (let i = 0; i < k; i++) {
      out.edge[t * k + i] = p.edge[i] < 0 ? -1 : p.edge[i] + t * tileEdges;
    }
    out.offset.set(p.offset, t * k);
    out.access.set(p.access, t * k);
  }
  return out;
}

/** The bench city tiled nx × ny: graph, facilities, their categories and the demand cells. */
export function tileCity(city: BenchCity, nx: number, ny: number, options?: TileOptions): BenchCity & { tiling: Tiling } {
  const g = city.graph;
  const tiling = tileGraph({ nodeCount: g.nodeCount, x: city.x, y: city.y, edgeFrom: g.edgeFrom, edgeTo: g.edgeTo, edgeLength: g.edgeLength }, nx, ny, options);
  const facilityCategory = new Int32Array(tiling.tiles * city.facilityCategory.length);
  for (let t = 0; t < tiling.tiles; t++) facilityCategory.set(city.facilityCategory, t * city.facilityCategory.length);
  return {
    graph: buildGraph(tiling.nodeCount, tiling.edgeFrom, tiling.edgeTo, tiling.edgeLength),
    x: tiling.x,
    y: tiling.y,
    facilities: tilePlaced(city.facilities, tiling.tileEdges, tiling.tiles),
    facilityCategory,
    categories: city.categories,
    cells: tilePlaced(city.cells, tiling.tileEdges, tiling.tiles),
    cellSource: `${city.cellSource} × ${tiling.tiles}`,
    tiling,
  };
}
