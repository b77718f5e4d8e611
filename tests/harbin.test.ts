/**
 * The Core acceptance on the real Harbin extract: a full build into a DuckDB file, checked
 * against plain references written here (brute-force snapping, a textbook Dijkstra on a graph
 * with every point spliced in, SQL re-aggregations of the stored cells).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridDisk } from 'h3-js';
import { buildHarbin, seeded, type Built } from './helpers/harbin.ts';

let h: Built;
beforeAll(async () => {
  h = await buildHarbin();
});
afterAll(() => h?.dispose());

/** Textbook binary-heap Dijkstra over an adjacency list; independent of server/core/walk.ts. */
function dijkstra(adj: Array<Array<[number, number]>>, source: number): Float64Array {
  const dist = new Float64Array(adj.length).fill(Infinity);
  const heap: Array<[number, number]> = [];
  const push = (item: [number, number]) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p][0] <= heap[i][0]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  dist[source] = 0;
  push([0, source]);
  while (heap.length) {
    const [d, u] = pop();
    if (d > dist[u]) continue;
    for (const [v, w] of adj[u]) {
      if (d + w < dist[v]) {
        dist[v] = d + w;
        push([d + w, v]);
      }
    }
  }
  return dist;
}

describe('building the Harbin sample', () => {
  it('conserves residents and elderly exactly in every community', async () => {
    const rows = await h.rows<{ community_id: string; population: number | null; elderly: number; res: number | null; eld: number | null }>(`
      SELECT c.community_id, c.population, c.elderly, sum(s.residents) AS res, sum(s.elderly) AS eld
      FROM communities c LEFT JOIN cell_community s USING (community_idx)
      GROUP BY ALL ORDER BY c.community_id`);
    expect(rows.length).toBe(h.city.communities.length);
    let populated = 0;
    for (const r of rows) {
      expect(r.res ?? 0).toBe(r.population ?? 0);
      expect(r.eld ?? 0).toBe(r.elderly);
      if (r.population) {
        populated++;
        expect(r.elderly).toBe(Math.round(r.population * 0.2198));
      }
    }
    expect(populated).toBeGreaterThan(60);
    const [tot] = await h.rows<{ res: number }>('SELECT sum(residents) AS res FROM cells');
    const [pop] = await h.rows<{ pop: number }>('SELECT sum(population) AS pop FROM communities');
    expect(tot.res).toBe(pop.pop);
  });

  it('snaps every facility or reports it', async () => {
    const [r] = await h.rows<{ n: number; snapped: number; reported: number }>(`
      SELECT count(*) AS n, count(*) FILTER (WHERE reachable) AS snapped,
             count(*) FILTER (WHERE NOT reachable AND facility_id IN
               (SELECT subject FROM import_notes WHERE kind = 'facility_unreachable')) AS reported
      FROM facilities`);
    expect(r.n).toBe(h.city.facilities.length);
    expect(r.snapped + r.reported).toBe(r.n);
  });

  it('snaps cell centres to the nearest point of any edge in a large component (brute force over every segment)', () => {
    const { network: net, cellSnap, demand } = h.city;
    // components by union-find over the edges, written here
    const parent = Int32Array.from({ length: net.nodeCount }, (_, i) => i);
    const find = (x: number): number => {
      while (parent[x] !== x) x = parent[x] = parent[parent[x]];
      return x;
    };
    for (let e = 0; e < net.edgeCount; e++) parent[find(net.edgeFrom[e])] = find(net.edgeTo[e]);
    const size = new Map<number, number>();
    for (let n = 0; n < net.nodeCount; n++) size.set(find(n), (size.get(find(n)) ?? 0) + 1);
    const big = (e: number) => (size.get(find(net.edgeFrom[e])) ?? 0) >= 50;
    const rand = seeded(7);
    const R = 6371008.8;
    let checked = 0;
    for (let k = 0; k < 200; k++) {
      const c = Math.floor(rand() * demand.cells.length);
      const lon = h.city.cellLon[c];
      const lat = h.city.cellLat[c];
      const kx = (R * Math.PI * Math.cos((lat * Math.PI) / 180)) / 180;
      const ky = (R * Math.PI) / 180;
      let best = Infinity;
      for (let e = 0; e < net.edgeCount; e++) {
        if (!big(e)) continue;
        for (let i = net.geomOffsets[e]; i < net.geomOffsets[e + 1] - 1; i++) {
          const ax = (net.geomLon[i] - lon) * kx;
          const ay = (net.geomLat[i] - lat) * ky;
          const bx = (net.geomLon[i + 1] - lon) * kx;
          const by = (net.geomLat[i + 1] - lat) * ky;
          const dx = bx - ax;
          const dy = by - ay;
          const l2 = dx * dx + dy * dy;
          const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / l2));
          best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
        }
      }
      if (best > 300) {
        expect(cellSnap.edge[c]).toBe(-1);
      } else {
        expect(Math.abs(cellSnap.distance[c] - best)).toBeLessThan(0.5);
      }
      checked++;
    }
    expect(checked).toBe(200);
  });

  it('gives nearest-facility distances equal to a reference Dijkstra for 300 sampled cells, every category', async () => {
    const edges = await h.rows<{ edge_id: number; from_node: number; to_node: number; length_m: number }>(
      'SELECT edge_id, from_node, to_node, length_m FROM network_edges ORDER BY edge_id',
    );
    const facilities = await h.rows<{ facility_idx: number; category: string; snap_edge: number | null; snap_offset_m: number; snap_dist_m: number }>(
      'SELECT facility_idx, category, snap_edge, snap_offset_m, snap_dist_m FROM facilities WHERE reachable',
    );
    const cells = await h.rows<{ cell_idx: number; snap_edge: number | null; snap_offset_m: number; snap_dist_m: number }>(
      'SELECT cell_idx, snap_edge, snap_offset_m, snap_dist_m FROM cells WHERE residents > 0 ORDER BY cell_idx',
    );
    const rand = seeded(11);
    const sample = Array.from({ length: 300 }, () => cells[Math.floor(rand() * cells.length)]);
    const categories = [...new Set(facilities.map((f) => f.category))];

    // Splice every facility and sampled cell into its edge as a node of its own, with its
    // off-street access as a pendant edge; a super-source joins the category's facilities.
    const nodeCount = h.city.network.nodeCount;
    const results = await h.rows<{ cell_idx: number; category: string; dist_m: number | null }>(
      `SELECT cell_idx, category, dist_m FROM cell_nearest WHERE cell_idx IN (${sample.map((c) => c.cell_idx).join(',')})`,
    );
    const stored = new Map(results.map((r) => [`${r.cell_idx}/${r.category}`, r.dist_m]));
    let compared = 0;
    let maxDiff = 0;
    for (const category of categories) {
      const adj: Array<Array<[number, number]>> = Array.from({ length: nodeCount + 1 }, () => []);
      const link = (a: number, b: number, w: number) => {
        adj[a].push([b, w]);
        adj[b].push([a, w]);
      };
      const addNode = () => adj.push([]) - 1;
      const source = nodeCount;
      const onEdge = new Map<number, Array<{ offset: number; node: number }>>();
      const place = (edge: number, offset: number, access: number) => {
        const street = addNode();
        const home = addNode();
        link(street, home, access);
        if (!onEdge.has(edge)) onEdge.set(edge, []);
        onEdge.get(edge)!.push({ offset, node: street });
        return home;
      };
      for (const f of facilities.filter((x) => x.category === category)) link(source, place(f.snap_edge!, f.snap_offset_m, f.snap_dist_m), 0);
      const cellNode = sample.map((c) => (c.snap_edge === null ? -1 : place(c.snap_edge, c.snap_offset_m, c.snap_dist_m)));
      for (const e of edges) {
        const pts = (onEdge.get(e.edge_id) ?? []).sort((a, b) => a.offset - b.offset);
        let prevNode = e.from_node;
        let prevOffset = 0;
        for (const p of pts) {
          link(prevNode, p.node, p.offset - prevOffset);
          prevNode = p.node;
          prevOffset = p.offset;
        }
        link(prevNode, e.to_node, e.length_m - prevOffset);
      }
      const dist = dijkstra(adj, source);
      sample.forEach((c, i) => {
        const ref = cellNode[i] < 0 ? Infinity : dist[cellNode[i]];
        const ours = stored.get(`${c.cell_idx}/${category}`);
        if (ref === Infinity) {
          expect(ours).toBeNull();
        } else {
          expect(ours).not.toBeNull();
          maxDiff = Math.max(maxDiff, Math.abs(ours! - ref));
        }
        compared++;
      });
    }
    expect(compared).toBe(300 * categories.length);
    expect(maxDiff).toBeLessThan(0.5);
  });

  it('stores coverage figures equal to a SQL re-count over the cells', async () => {
    const recount = await h.rows<{ category: string; tier_min: number; speed: string; res: number; eld: number }>(`
      WITH s AS (SELECT * FROM (VALUES ('general', 67.0), ('elderly', 50.0)) AS t(speed, v)),
           t AS (SELECT * FROM (VALUES (5), (10), (15)) AS t(tier_min))
      SELECT n.category, t.tier_min, s.speed,
             coalesce(sum(c.residents) FILTER (WHERE n.dist_m <= t.tier_min * s.v), 0) AS res,
             coalesce(sum(c.elderly) FILTER (WHERE n.dist_m <= t.tier_min * s.v), 0) AS eld
      FROM cell_nearest n JOIN cells c USING (cell_idx), s, t
      GROUP BY ALL ORDER BY ALL`);
    const stored = await h.rows<{ category: string; tier_min: number; speed: string; res: number; eld: number }>(`
      SELECT category, tier_min, speed, residents_covered AS res, elderly_covered AS eld
      FROM coverage WHERE community_idx IS NULL ORDER BY ALL`);
    expect(recount.length).toBe(7 * 3 * 2);
    expect(stored).toEqual(recount);
  });

  it('stores per-community coverage that adds up from the cell shares', async () => {
    const diff = await h.rows<{ n: number }>(`
      WITH recount AS (
        SELECT n.category, s.community_idx, sum(s.elderly) FILTER (WHERE n.dist_m <= 10 * 50.0) AS eld
        FROM cell_nearest n JOIN cell_community s USING (cell_idx) GROUP BY ALL)
      SELECT count(*) AS n FROM coverage v JOIN recount r USING (category, community_idx)
      WHERE v.tier_min = 10 AND v.speed = 'elderly' AND v.elderly_covered <> coalesce(r.eld, 0)`);
    expect(diff[0].n).toBe(0);
    const [{ rows }] = await h.rows<{ rows: number }>(`SELECT count(*) AS rows FROM coverage WHERE community_idx IS NOT NULL`);
    expect(rows).toBe(h.city.communities.length * 7 * 3 * 2);
  });

  it('groups exactly the uncovered populated cells into maximal connected gap clusters', async () => {
    // community services, 10 minutes, elderly speed: a gap is a cell with elderly beyond 500 m
    const expected = await h.rows<{ cell_idx: number }>(`
      SELECT c.cell_idx FROM cells c JOIN cell_nearest n USING (cell_idx)
      WHERE n.category = 'community_service' AND c.elderly > 0 AND (n.dist_m IS NULL OR n.dist_m > 500)
      ORDER BY 1`);
    const got = await h.rows<{ cell_idx: number; cluster_id: number; h3_id: string }>(`
      SELECT g.cell_idx, g.cluster_id, c.h3_id FROM gap_cells g JOIN gap_clusters k USING (cluster_id) JOIN cells c USING (cell_idx)
      WHERE k.category = 'community_service' AND k.tier_min = 10 AND k.speed = 'elderly' AND k.weight = 'elderly' ORDER BY 1`);
    expect(got.map((r) => r.cell_idx)).toEqual(expected.map((r) => r.cell_idx));
    const clusterOf = new Map(got.map((r) => [r.h3_id, r.cluster_id]));
    // maximal: no two touching gap cells sit in different clusters
    for (const r of got) for (const n of gridDisk(r.h3_id, 1)) if (clusterOf.has(n)) expect(clusterOf.get(n)).toBe(r.cluster_id);
    // connected: a flood fill inside each cluster reaches all its cells
    const byCluster = new Map<number, string[]>();
    for (const r of got) byCluster.set(r.cluster_id, [...(byCluster.get(r.cluster_id) ?? []), r.h3_id]);
    for (const cellsOf of byCluster.values()) {
      const inCluster = new Set(cellsOf);
      const seen = new Set([cellsOf[0]]);
      const stack = [cellsOf[0]];
      while (stack.length) for (const n of gridDisk(stack.pop()!, 1)) if (inCluster.has(n) && !seen.has(n)) (seen.add(n), stack.push(n));
      expect(seen.size).toBe(cellsOf.length);
    }
    const sums = await h.rows<{ bad: number }>(`
      SELECT count(*) AS bad FROM gap_clusters k
      JOIN (SELECT cluster_id, sum(c.elderly) AS e, count(*) AS n FROM gap_cells JOIN cells c USING (cell_idx) GROUP BY 1) s USING (cluster_id)
      WHERE k.elderly <> s.e OR k.cell_count <> s.n`);
    expect(sums[0].bad).toBe(0);
  });

  it('clusters the residents\' gap over cells with residents, a superset of the elderly gap', async () => {
    const [r] = await h.rows<{ res: number; eld: number; missing: number }>(`
      WITH g AS (SELECT k.weight, g.cell_idx FROM gap_cells g JOIN gap_clusters k USING (cluster_id)
                 WHERE k.category = 'health' AND k.tier_min = 5 AND k.speed = 'general')
      SELECT count(*) FILTER (WHERE weight = 'residents') AS res, count(*) FILTER (WHERE weight = 'elderly') AS eld,
             (SELECT count(*) FROM g e WHERE e.weight = 'elderly' AND e.cell_idx NOT IN (SELECT cell_idx FROM g WHERE weight = 'residents')) AS missing
      FROM g`);
    const [expected] = await h.rows<{ n: number }>(`
      SELECT count(*) AS n FROM cells c JOIN cell_nearest n USING (cell_idx)
      WHERE n.category = 'health' AND c.residents > 0 AND (n.dist_m IS NULL OR n.dist_m > 5 * 67)`);
    expect(r.res).toBe(expected.n);
    expect(r.eld).toBeLessThanOrEqual(r.res);
    expect(r.missing).toBe(0);
  });

  it('checks every sub-district against the profile with figures equal to the coverage table', async () => {
    const [n] = await h.rows<{ n: number; c: number }>("SELECT count(DISTINCT community_idx) AS n, count(*) AS c FROM compliance WHERE rule_kind = 'facility_requirement'");
    expect(n.n).toBe(h.city.communities.length);
    const bad = await h.rows<{ bad: number }>(`
      SELECT count(*) AS bad FROM compliance k JOIN coverage v
        ON v.community_idx = k.community_idx AND v.category = k.category AND v.tier_min = k.tier_min AND v.speed = k.speed
      WHERE k.rule_kind = 'facility_requirement' AND (
        k.people <> CASE k.target WHEN 'elderly' THEN v.elderly ELSE v.residents END OR
        k.covered <> CASE k.target WHEN 'elderly' THEN v.elderly_covered ELSE v.residents_covered END OR
        k.pass <> (k.people = 0 OR k.covered >= k.threshold * k.people))`);
    expect(bad[0].bad).toBe(0);
    // tiers by population, re-derived in SQL from GB 50180's ranges
    const tiers = await h.rows<{ bad: number }>(`
      SELECT count(*) AS bad FROM community_tiers WHERE population IS NOT NULL AND coalesce(tier_min, -1) <>
        CASE WHEN population BETWEEN 5000 AND 12000 THEN 5 WHEN population BETWEEN 15000 AND 25000 THEN 10
             WHEN population BETWEEN 50000 AND 100000 THEN 15 ELSE -1 END`);
    expect(tiers[0].bad).toBe(0);
    // no elderly care anywhere in Harbin: every community falls short of 40 beds per 1,000 elderly
    const supply = await h.rows<{ n: number; short: number }>("SELECT count(*) AS n, count(*) FILTER (WHERE NOT pass) AS short FROM compliance WHERE rule_id = 'supply.nursing_beds' AND value IS NOT NULL");
    expect(supply[0].short).toBe(supply[0].n);
    const sources = await h.rows<{ missing: number }>('SELECT count(*) AS missing FROM compliance WHERE source_document IS NULL OR source_clause IS NULL OR source_label IS NULL');
    expect(sources[0].missing).toBe(0);
  });

  it('reports elderly coverage at the elderly speed as no more than at the general speed', async () => {
    const rows = await h.rows<{ bad: number }>(`
      SELECT count(*) AS bad FROM coverage g JOIN coverage e USING (category, tier_min, community_idx)
      WHERE g.speed = 'general' AND e.speed = 'elderly' AND e.elderly_covered > g.elderly_covered`);
    expect(rows[0].bad).toBe(0);
  });
});
