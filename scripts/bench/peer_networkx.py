"""networkx as a peer of our walking kernels (driven by scripts/bench/peers.ts, which writes the inputs).

Reads from DIR (written by peers.ts):
  edges.tsv   "u v metres" per edge (dense node ids, as ours)
  seeds.tsv   "facility node metres" twice per facility: both ends of its edge, snap distance left out
  params.json {"nodes", "walkshed_cutoff", "nearest_cutoff", "runs", "warmup"}

Does:
  walksheds  one Dijkstra per facility from a virtual source joined to its two seeds, cutoff
             walkshed_cutoff, timed as the median of `runs` after `warmup` (the job of our
             Walker loop from both ends of each facility's edge)
  nearest    one Dijkstra from a virtual source joined to every seed, cutoff nearest_cutoff:
             the network distance from each node to its nearest facility, written to
             DIR/nx_nearest.f64 (float64 per node, inf where not reached) for peers.ts to compare

Prints one JSON object on stdout. Run: python3 scripts/bench/peer_networkx.py DIR
"""
import json
import statistics
import sys
import time
from array import array
from pathlib import Path

import networkx as nx

SOURCE = "source"  # the virtual node; every real node is an int


def read_graph(path):
    g = nx.Graph()
    with open(path) as f:
        for line in f:
            u, v, w = line.split()
            u, v, w = int(u), int(v), float(w)
            if u == v:
                continue  # a loop never shortens a path
            # parallel edges: a Graph keeps one, so keep the shortest
            if not g.has_edge(u, v) or g[u][v]["weight"] > w:
                g.add_edge(u, v, weight=w)
    return g


def read_seeds(path):
    seeds = {}
    with open(path) as f:
        for line in f:
            fac, node, d = line.split()
            seeds.setdefault(int(fac), []).append((int(node), float(d)))
    return seeds


def join_source(g, seeds):
    """Join the virtual source to the seeds (the shorter link where two seeds share a node)."""
    for node, d in seeds:
        if not g.has_edge(SOURCE, node) or g[SOURCE][node]["weight"] > d:
            g.add_edge(SOURCE, node, weight=d)


def walksheds(g, seeds, cutoff):
    reached = 0
    for fac_seeds in seeds.values():
        join_source(g, fac_seeds)
        reached += len(nx.single_source_dijkstra_path_length(g, SOURCE, cutoff=cutoff)) - 1
        g.remove_node(SOURCE)
    return reached


def main(folder):
    folder = Path(folder)
    params = json.loads((folder / "params.json").read_text())
    g = read_graph(folder / "edges.tsv")
    g.add_nodes_from(range(params["nodes"]))
    seeds = read_seeds(folder / "seeds.tsv")

    times = []
    reached = 0
    for run in range(params["warmup"] + params["runs"]):
        t0 = time.perf_counter()
        reached = walksheds(g, seeds, params["walkshed_cutoff"])
        if run >= params["warmup"]:
            times.append(1000 * (time.perf_counter() - t0))

    t0 = time.perf_counter()
    join_source(g, [s for fac_seeds in seeds.values() for s in fac_seeds])
    dist = nx.single_source_dijkstra_path_length(g, SOURCE, cutoff=params["nearest_cutoff"])
    nearest_ms = 1000 * (time.perf_counter() - t0)
    g.remove_node(SOURCE)
    out = array("d", [float("inf")]) * params["nodes"]
    for node, d in dist.items():
        if node != SOURCE:
            out[node] = d
    with open(folder / "nx_nearest.f64", "wb") as f:
        out.tofile(f)

    print(json.dumps({
        "networkx": nx.__version__,
        "python": sys.version.split()[0],
        "walkshed_median_ms": statistics.median(times),
        "walkshed_min_ms": min(times),
        "walkshed_rows": reached,
        "facilities": len(seeds),
        "nearest_ms": nearest_ms,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
