/**
 * The walking graph in compressed sparse row form: for node u, its arcs are
 * [offsets[u], offsets[u+1]) in `targets` / `arcEdge` / `arcLength`. Walking is undirected,
 * so every edge appears as two arcs.
 */
export interface Graph {
  nodeCount: number;
  edgeCount: number;
  offsets: Int32Array;
  targets: Int32Array;
  /** Edge id of each arc (to find the cells and facilities snapped along it). */
  arcEdge: Int32Array;
  arcLength: Float64Array;
  edgeFrom: Int32Array;
  edgeTo: Int32Array;
  edgeLength: Float64Array;
}

/** Build the CSR graph from an edge list (counting sort by source node: O(n + m)). */
export function buildGraph(nodeCount: number, edgeFrom: Int32Array, edgeTo: Int32Array, edgeLength: Float64Array): Graph {
  const m = edgeFrom.length;
  const offsets = new Int32Array(nodeCount + 1);
  for (let e = 0; e < m; e++) {
    offsets[edgeFrom[e] + 1]++;
    offsets[edgeTo[e] + 1]++;
  }
  for (let u = 0; u < nodeCount; u++) offsets[u + 1] += offsets[u];
  const fill = offsets.slice(0, nodeCount);
  const targets = new Int32Array(2 * m);
  const arcEdge = new Int32Array(2 * m);
  const arcLength = new Float64Array(2 * m);
  for (let e = 0; e < m; e++) {
    const a = edgeFrom[e];
    const b = edgeTo[e];
    let k = fill[a]++;
    targets[k] = b;
    arcEdge[k] = e;
    arcLength[k] = edgeLength[e];
    k = fill[b]++;
    targets[k] = a;
    arcEdge[k] = e;
    arcLength[k] = edgeLength[e];
  }
  return { nodeCount, edgeCount: m, offsets, targets, arcEdge, arcLength, edgeFrom, edgeTo, edgeLength };
}

/**
 * Connected components by breadth-first search with an explicit queue.
 * Returns the component of each node and the number of nodes in each component.
 */
export function components(g: Graph): { component: Int32Array; size: Int32Array } {
  const component = new Int32Array(g.nodeCount).fill(-1);
  const queue = new Int32Array(g.nodeCount);
  const sizes: number[] = [];
  for (let s = 0; s < g.nodeCount; s++) {
    if (component[s] >= 0) continue;
    const c = sizes.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    component[s] = c;
    while (head < tail) {
      const u = queue[head++];
      for (let k = g.offsets[u]; k < g.offsets[u + 1]; k++) {
        const v = g.targets[k];
        if (component[v] < 0) {
          component[v] = c;
          queue[tail++] = v;
        }
      }
    }
    sizes.push(tail);
  }
  return { component, size: Int32Array.from(sizes) };
}
