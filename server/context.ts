/**
 * The city the server answers about: what db/read.ts loaded, plus the indexes built once at
 * start-up (walking graph, edge index for snapping clicked points, cell lookup).
 */
import { cityNameOf } from './config.ts';
import { buildGraph, type Graph } from './core/graph.ts';
import { EdgeIndex } from './core/snap.ts';
import { groupByEdge, walksheds, type OnEdges, type Placed } from './core/reach.ts';
import { Walker } from './core/walk.ts';
import type { StoredCity } from './db/read.ts';
import { JointContext } from './joint.ts';

export type Speed = 'general' | 'elderly';

export class CityContext {
  readonly graph: Graph;
  readonly edgeIndex: EdgeIndex;
  readonly cellIndex: Map<string, number>;
  readonly cellsPlaced: Placed;
  readonly cellsOnEdge: OnEdges;
  readonly facilityIndex: Map<string, number>;
  readonly speeds: Record<Speed, number>;
  readonly tiers: number[];
  readonly resolution: number;
  readonly maxSnapM: number;
  /** Whether the walk from a point to its street counts (the build's --no-access turns it off). */
  readonly countAccess: boolean;
  /** The city's name as built (`--city-name`; a database built before names were kept: the extract's file name). */
  readonly name: string;
  /** [west, south, east, north] of the walking network. */
  readonly bbox: [number, number, number, number];
  private readonly walker: Walker;
  #joint: JointContext | null = null;

  constructor(readonly stored: StoredCity) {
    const { network, cells, meta } = stored;
    this.graph = buildGraph(network.nodeCount, network.edgeFrom, network.edgeTo, network.edgeLength);
    this.maxSnapM = Number(meta.max_snap_m);
    this.edgeIndex = new EdgeIndex(network, this.graph, { maxSnapM: this.maxSnapM, minComponentNodes: Number(meta.min_component_nodes) });
    this.cellIndex = new Map(cells.h3.map((h, i) => [h, i]));
    this.countAccess = meta.count_access !== 'false';
    this.name = meta.city_name ?? cityNameOf(meta.pbf ?? 'city');
    this.cellsPlaced = { edge: cells.edge, offset: cells.offset, access: this.countAccess ? cells.access : new Float64Array(cells.edge.length) };
    this.cellsOnEdge = groupByEdge(this.graph.edgeCount, this.cellsPlaced);
    this.facilityIndex = new Map(stored.facilities.map((f, i) => [f.id, i]));
    this.speeds = { general: Number(meta.speed_general_m_per_min), elderly: Number(meta.speed_elderly_m_per_min) };
    this.tiers = meta.tiers_min.split(',').map(Number);
    this.resolution = Number(meta.h3_resolution);
    let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let i = 0; i < network.nodeCount; i++) {
      w = Math.min(w, network.nodeLon[i]);
      e = Math.max(e, network.nodeLon[i]);
      s = Math.min(s, network.nodeLat[i]);
      n = Math.max(n, network.nodeLat[i]);
    }
    this.bbox = [w, s, e, n];
    this.walker = new Walker(this.graph);
  }

  /** Units, their adjacency and the walk of every populated cell for joint communities; built on first use. */
  get joint(): JointContext {
    return (this.#joint ??= new JointContext(this));
  }

  /**
   * Walk from any point: snap it to the nearest street like a facility, then collect the cells
   * within `cutoffM` metres. Returns null when no street is within the snapping limit.
   */
  walkFrom(lon: number, lat: number, cutoffM: number) {
    const snap = this.edgeIndex.snapAll([lon], [lat]);
    if (snap.edge[0] < 0) return null;
    const source: Placed = { edge: snap.edge, offset: snap.offset, access: this.countAccess ? snap.distance : Float64Array.of(0) };
    const shed = walksheds(this.graph, source, this.cellsPlaced, this.cellsOnEdge, cutoffM, this.walker);
    return { snapped: { lon: snap.lon[0], lat: snap.lat[0], distM: snap.distance[0] }, cells: shed.target, dist: shed.dist };
  }
}
