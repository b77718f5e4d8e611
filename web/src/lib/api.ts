/**
 * Typed calls to the lifecircle HTTP API (docs/api.md). Every call resolves to the parsed body or
 * rejects with an {@link ApiError} that carries the server's message, so the UI can show it as is.
 * URLs are relative (`api/...`) so the app works under any path the server mounts it at.
 */
import type { FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import { t } from './i18n.svelte.ts';

export type SpeedId = 'general' | 'elderly';

export interface Selection {
  category: string;
  tier: number;
  speed: SpeedId;
}

export interface CityCategory {
  id: string;
  zh: string;
  en: string;
  facilities: number;
}

export interface CityCoverage {
  category: string;
  tier: number;
  speed: SpeedId;
  residents: number;
  residentsCovered: number;
  elderly: number;
  elderlyCovered: number;
  medianMin: number | null;
  p90Min: number | null;
  elderlyMedianMin: number | null;
  elderlyP90Min: number | null;
}

export interface City {
  name: string;
  bbox: [number, number, number, number];
  center: [number, number];
  resolution: number;
  speeds: Record<SpeedId, number>;
  tiers: number[];
  categories: CityCategory[];
  totals: { residents: number; elderly: number; communities: number; cells: number; facilities: number };
  coverage: CityCoverage[];
  builtAt: string;
  sources: Record<string, string>;
  attribution: string;
  /** A MapLibre style URL to use instead of the built-in basemap, when the deployment has one. */
  styleUrl?: string | null;
}

export interface CommunityProps {
  id: string;
  name: string;
  source: string;
  population: number | null;
  elderly: number | null;
  demandMethod: string;
  code: string | null;
  category: string;
  tier: number;
  speed: SpeedId;
  residentsCovered: number;
  elderlyCovered: number;
  residentsPct: number | null;
  elderlyPct: number | null;
  medianMin: number | null;
  p90Min: number | null;
  elderlyMedianMin: number | null;
  elderlyP90Min: number | null;
  labelLon: number;
  labelLat: number;
}
export type Communities = FeatureCollection<Polygon | MultiPolygon, CommunityProps>;

export interface FacilityProps {
  id: string;
  name: string;
  category: string;
  capacity: number | null;
  reachable: boolean;
  snapDistM: number | null;
}
export type Facilities = FeatureCollection<Point, FacilityProps>;

/** Every demand cell, column-wise: `h3[i]`, `residents[i]`, `elderly[i]`, `distM[category][i]`. */
export interface Cells {
  resolution: number;
  h3: string[];
  residents: number[];
  elderly: number[];
  distM: Record<string, (number | null)[]>;
}

export interface CellDetail {
  h3: string;
  lon: number;
  lat: number;
  residents: number;
  elderly: number;
  reachable: boolean;
  snapDistM: number | null;
  communities: { id: string; name: string; residents: number; elderly: number }[];
  nearest: {
    category: string;
    facility: { id: string; name: string } | null;
    distM: number | null;
    minGeneral: number | null;
    minElderly: number | null;
  }[];
}

export interface GapProps {
  clusterId: number;
  cells: number;
  residents: number;
  elderly: number;
  lon: number;
  lat: number;
}
export type Gaps = FeatureCollection<MultiPolygon | Polygon, GapProps>;

export interface FacilityWalkshed {
  facility: { id: string; name: string; category: string; lon: number; lat: number };
  speed: SpeedId;
  maxMin: number;
  h3: string[];
  distM: number[];
  minutes: number[];
}

export interface PointWalkshed {
  origin: { lon: number; lat: number };
  snapped: { lon: number; lat: number; distM: number };
  speed: SpeedId;
  minutes: number;
  h3: string[];
  distM: number[];
  minutesTo: number[];
}

/** Where a rule comes from; `label`: P official text, S secondary summary, L local rule, D derived, C conjecture. */
export interface RuleSource {
  document: string;
  clause: string;
  label: 'P' | 'S' | 'L' | 'D' | 'C';
}

/** One rule of the standards profile: these fields, plus the parameters of its kind. */
export interface ProfileRule {
  id: string;
  kind: string;
  source: RuleSource;
  enabled: boolean;
  [parameter: string]: unknown;
}

export interface Profile {
  name: string;
  note: string | null;
  rules: ProfileRule[];
}

/** One check of one community against one rule. */
export interface Finding {
  rule: string;
  kind: 'facility_requirement' | 'supply_norm';
  category: string;
  /** The requirement's walk, minutes (null for supply norms). */
  tierMin: number | null;
  target: 'residents' | 'elderly';
  speed: SpeedId | null;
  people: number | null;
  covered: number | null;
  /** covered / people (null: nobody of the group lives there). */
  share: number | null;
  /** A supply norm's measured amount per its count of people. */
  value: number | null;
  /** The share a requirement needs (0–1), or the amount a supply norm needs. */
  threshold: number;
  pass: boolean;
  source: RuleSource;
}

export interface ComplianceCommunity {
  id: string;
  name: string;
  population: number | null;
  tier: { position: 'within' | 'between' | 'under' | 'over'; minutes: number | null; governingMinutes: number };
  pass: boolean;
  findings: Finding[];
}

export interface Compliance {
  profile: string | null;
  communities: ComplianceCommunity[];
}

/** A stored scenario as every change answers it (docs/api.md, "Scenarios"). */
export interface ScenarioInfo {
  id: string;
  name: string;
  /** Bumped by every change; send it back as `baseVersion` (409 when stale). */
  version: number;
  /** Edits applied (the rest, up to `editCount`, can be redone). */
  head: number;
  editCount: number;
  canUndo: boolean;
  canRedo: boolean;
}

/** `GET /scenarios/{id}`: also the stored edits a rebuilt city no longer accepts. */
export interface ScenarioDetail extends ScenarioInfo {
  skipped: string[];
}

export type Edit =
  | { op: 'add'; category: string; lon: number; lat: number; name?: string; capacity?: number | null }
  | { op: 'move'; station: string; lon: number; lat: number }
  | { op: 'remove' | 'close' | 'reopen'; station: string }
  | { op: 'capacity'; station: string; capacity: number | null }
  | { op: 'category'; station: string; category: string }
  | { op: 'merge'; units: string[]; name?: string; override?: boolean }
  | { op: 'unmerge'; joint: string }
  | { op: 'rename-joint'; joint: string; name: string };

/** People newly covered or lost by one change, for one category × tier × speed and community (null: city-wide). */
export interface DeltaRow {
  category: string;
  tier: number;
  speed: SpeedId;
  community: { id: string; name: string } | null;
  residentsGained: number;
  residentsLost: number;
  elderlyGained: number;
  elderlyLost: number;
}

export interface Change {
  scenario: ScenarioInfo;
  delta: DeltaRow[];
}

export interface StationProps {
  id: string;
  name: string;
  category: string;
  capacity: number | null;
  open: boolean;
  /** Added by the scenario, not in the baseline. */
  added: boolean;
  reachable: boolean;
}
export type Stations = FeatureCollection<Point, StationProps>;

/** `GET /scenarios/{id}/cells`: metres per cell in `/cells` order; null beyond `reachM` or unreachable. */
export interface ScenarioCells {
  reachM: number;
  distM: Record<string, (number | null)[]>;
}

export interface CompareRow {
  category: string;
  tier: number;
  speed: SpeedId;
  community: { id: string; name: string } | null;
  residents: number;
  elderly: number;
  before: { residentsCovered: number; elderlyCovered: number };
  after: { residentsCovered: number; elderlyCovered: number };
}

export type SitingProblem =
  | { kind: 'max-cover'; p: number }
  | { kind: 'set-cover'; targetShare: number }
  | { kind: 'capacitated'; p: number; capacity: number };

export interface SuggestRequest {
  category: string;
  tier: number;
  speed: SpeedId;
  weight: 'residents' | 'elderly';
  problem: SitingProblem;
  exactSeconds: number;
}

export interface Proposal {
  rank: number;
  lon: number;
  lat: number;
  h3: string | null;
  /** Weighted people this site adds to the ones ranked before it. */
  gain: number;
}

export interface SuggestAnswer {
  demand: { total: number; coveredBefore: number; uncovered: number; coverable: number };
  candidates: number;
  proposals: Proposal[];
  covered: number;
  greedyMs: number;
  exact: {
    status: string;
    objective: number | null;
    bound: number | null;
    /** The greedy answer's distance from the bound, as a share (null without a bound). */
    gap: number | null;
    seconds: number;
    sites: Proposal[];
  } | null;
}

export interface UnitProps {
  id: string;
  name: string;
  derived: boolean;
  residents: number;
  elderly: number;
  cells: number;
  communityId: string;
  communityName: string;
}
export type Units = FeatureCollection<MultiPolygon, UnitProps>;

/** A finding of the joint-community rule (docs/api.md, "Joint communities"). */
export type JointFinding =
  | { rule: string; problem: 'residents_below' | 'residents_above'; value: number; threshold: number }
  | { rule: string; problem: 'not_contiguous'; parts: string[][] }
  | { rule: string; problem: 'no_workstation_site' | 'unserved'; cells: string[] }
  | { rule: string; problem: 'crosses_boundary'; boundaries: string[] };

/** `POST /joint/check`, and each group of `/joint/suggest`. */
export interface JointCheck {
  units: { id: string; name: string }[];
  residents: number;
  elderly: number;
  contiguous: boolean;
  site: { h3: string; lon: number; lat: number } | null;
  pass: boolean;
  findings: JointFinding[];
}

export interface JointSuggestRequest {
  communities?: string[];
  seed: number;
}

export interface JointSuggestAnswer {
  groups: JointCheck[];
  unplaced: { unit: { id: string; name: string }; reason: 'residents_above' | 'no_workstation_site' | 'below_floor' }[];
}

/** One joint community of a scenario (`GET /scenarios/{id}/joint`). */
export interface Joint {
  id: string;
  name: string;
  units: { id: string; name: string }[];
  residents: number;
  elderly: number;
  workstations: { id: string; name: string; lon: number; lat: number }[];
  /** Where one workstation would serve everyone (an H3 cell), when there is none. */
  site: string | null;
  pass: boolean;
  findings: JointFinding[];
  tier: { position: 'within' | 'between' | 'under' | 'over'; minutes: number | null; governingMinutes: number };
  requirements: { rule: string; category: string; tierMinutes: number; for: 'residents' | 'elderly'; share: number | null; pass: boolean }[];
  geometry: MultiPolygon;
}

/** A failed call: HTTP status (0 for a network failure), the server's message and the parameter it names. */
export class ApiError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function getJson<T>(path: string, params?: Record<string, string | number>, signal?: AbortSignal): Promise<T> {
  const query = params ? `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}` : '';
  return call<T>(`api/${path}${query}`, { signal, headers: { accept: 'application/json' } });
}

/** POST, PATCH or DELETE with a JSON body. */
function sendJson<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return call<T>(`api/${path}`, {
    method,
    signal,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const TOKEN_KEY = 'lifecircle.token';

/** The token this browser sends with changes (remembered in localStorage), or null. */
export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function rememberToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // not remembered: asked again next time
  }
}

async function call<T>(url: string, init: RequestInit, asked = false): Promise<T> {
  const token = storedToken();
  const headers = new Headers(init.headers);
  if (token && init.method && init.method !== 'GET') headers.set('authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(url, 0, (err as Error).message || 'network error');
  }
  if (res.status === 401 && !asked) {
    // every change needs a token (the server printed one at its first start): ask once, then retry
    const given = window.prompt(t(token ? 'auth.invalid' : 'auth.prompt'))?.trim();
    if (given) {
      rememberToken(given);
      return call<T>(url, init, true);
    }
    if (token) rememberToken(null);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    let param: string | undefined;
    try {
      const body = (await res.json()) as { error?: { message?: string; param?: string } };
      if (body.error?.message) message = body.error.message;
      param = body.error?.param;
    } catch {
      // not JSON (a proxy's error page): keep the status line
    }
    throw new ApiError(url, res.status, message, param);
  }
  return (await res.json()) as T;
}

const sel = (s: Selection) => ({ category: s.category, tier: s.tier, speed: s.speed });

/** The API's endpoints, one function each. */
export const api = {
  city: () => getJson<City>('city'),
  cells: () => getJson<Cells>('cells'),
  cell: (h3: string, signal?: AbortSignal) => getJson<CellDetail>(`cells/${encodeURIComponent(h3)}`, undefined, signal),
  facilities: () => getJson<Facilities>('facilities'),
  communities: (s: Selection, signal?: AbortSignal) => getJson<Communities>('communities', sel(s), signal),
  gaps: (s: Selection & { weight: 'residents' | 'elderly' }, signal?: AbortSignal) => getJson<Gaps>('gaps', { ...sel(s), weight: s.weight }, signal),
  facilityWalkshed: (id: string, speed: SpeedId, signal?: AbortSignal) =>
    getJson<FacilityWalkshed>(`facilities/${encodeURIComponent(id)}/walkshed`, { speed }, signal),
  pointWalkshed: (lon: number, lat: number, speed: SpeedId, minutes: number, signal?: AbortSignal) =>
    getJson<PointWalkshed>('walkshed', { lon: lon.toFixed(6), lat: lat.toFixed(6), speed, minutes }, signal),
  compliance: () => getJson<Compliance>('compliance'),
  profile: () => getJson<Profile>('profile'),

  scenarios: () => getJson<{ scenarios: ScenarioInfo[] }>('scenarios'),
  scenario: (id: string) => getJson<ScenarioDetail>(`scenarios/${encodeURIComponent(id)}`),
  createScenario: (name: string) => sendJson<ScenarioInfo>('POST', 'scenarios', { name }),
  renameScenario: (id: string, name: string, baseVersion: number) => sendJson<ScenarioInfo>('PATCH', `scenarios/${encodeURIComponent(id)}`, { name, baseVersion }),
  deleteScenario: (id: string) => sendJson<{ deleted: string }>('DELETE', `scenarios/${encodeURIComponent(id)}`),
  edit: (id: string, edit: Edit, baseVersion: number) => sendJson<Change>('POST', `scenarios/${encodeURIComponent(id)}/edits`, { edit, baseVersion }),
  preview: (id: string, edit: Edit, signal?: AbortSignal) => sendJson<{ delta: DeltaRow[] }>('POST', `scenarios/${encodeURIComponent(id)}/preview`, { edit }, signal),
  undo: (id: string, baseVersion: number) => sendJson<Change>('POST', `scenarios/${encodeURIComponent(id)}/undo`, { baseVersion }),
  redo: (id: string, baseVersion: number) => sendJson<Change>('POST', `scenarios/${encodeURIComponent(id)}/redo`, { baseVersion }),
  stations: (id: string, signal?: AbortSignal) => getJson<Stations>(`scenarios/${encodeURIComponent(id)}/stations`, undefined, signal),
  scenarioCells: (id: string, category: string, signal?: AbortSignal) => getJson<ScenarioCells>(`scenarios/${encodeURIComponent(id)}/cells`, { category }, signal),
  compare: (id: string, category: string, signal?: AbortSignal) =>
    getJson<{ scenario: ScenarioInfo; rows: CompareRow[] }>(`scenarios/${encodeURIComponent(id)}/compare`, { category }, signal),
  units: () => getJson<Units>('units'),
  jointCheck: (units: string[]) => sendJson<JointCheck>('POST', 'joint/check', { units }),
  jointSuggest: (req: JointSuggestRequest) => sendJson<JointSuggestAnswer>('POST', 'joint/suggest', req),
  joints: (id: string, signal?: AbortSignal) => getJson<{ joints: Joint[] }>(`scenarios/${encodeURIComponent(id)}/joint`, undefined, signal),
  suggest: (id: string, req: SuggestRequest, signal?: AbortSignal) => sendJson<SuggestAnswer>('POST', `scenarios/${encodeURIComponent(id)}/suggest`, req, signal),
  published: () => getJson<{ published: PublishedMap[] }>('published'),
  publish: (req: PublishRequest) => sendJson<PublishedMap>('POST', 'published', req),
  unpublish: (name: string) => sendJson<{ unpublished: string }>('DELETE', `published/${encodeURIComponent(name)}`),
};

/** A published map as `GET /published` lists it. */
export interface PublishedMap {
  name: string;
  title: string;
  createdAt: string;
  scenarioId: string | null;
  scenarioVersion: number | null;
}

export interface PublishRequest {
  name: string;
  title: string;
  description: string;
  scenario: string | null;
  view: { category: string; tier: number; speed: SpeedId };
}

/** Where a published map is served (its folder's index page) and its downloads, relative to the app. */
export function publishedUrls(name: string) {
  const base = new URL(`p/${encodeURIComponent(name)}/`, location.href).href;
  return { page: base, pdf: `${base}report.pdf`, zip: new URL(`api/published/${encodeURIComponent(name)}/export.zip`, location.href).href };
}

/** The basemap's vector tile URL template, absolute (MapLibre's worker needs absolute URLs). */
export function basemapTileUrl(): string {
  return new URL('api/tiles/basemap/{z}/{x}/{y}.pbf', location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}');
}
