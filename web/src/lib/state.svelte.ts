/**
 * The app's shared state, as runes classes. Panels write the selection; map layers read it and
 * restyle (or, for the small per-selection resources, refetch). Nothing here touches the map.
 *
 * Data flow: `/api/city` → `app.city` → controls; selection → layers (cells restyle, communities
 * and gaps refetch) → `app.communities` → table; clicks → `app.popup` / `app.walkshedRequest` →
 * popup and walkshed layer. Compliance view: `/api/compliance` + `/api/profile` → `app.compliance`,
 * `app.profile` → compliance panel and layer; `#rule=<id>` → `app.ruleId` → rule card. Scenarios
 * and siting have their own state (scenario.svelte.ts).
 */
import { untrack } from 'svelte';
import { ApiError, api, type CellDetail, type City, type Communities, type Compliance, type FacilityProps, type Profile, type SpeedId } from './api.ts';
import { t, type MessageKey } from './i18n.svelte.ts';
import type { Weighting } from '../map/cellStyle.ts';

export type { Weighting };

/** What the user looks at: one category, one tier, one walking speed, one population weighting. */
export class Selection {
  category = $state('elderly_care');
  tier = $state(15);
  speed = $state<SpeedId>('elderly');
  weighting = $state<Weighting>('elderly');
}

/** What the map and the panel show: walking coverage of the selection, or compliance with the standards profile. */
export type View = 'coverage' | 'compliance';

/** Tool modes: the default coverage view, picking a point for its walkshed, editing a scenario's stations, or merging its units into joint communities. */
export type Mode = { kind: 'coverage' } | { kind: 'walkshed-here' } | { kind: 'siting' } | { kind: 'merge' };

/** A walkshed to draw: from a facility, or from any point. */
export type WalkshedRequest =
  | { kind: 'facility'; id: string; featureId: number | string | undefined; name: string; lon: number; lat: number }
  | { kind: 'point'; lon: number; lat: number };

/** What the walkshed layer drew, for the popup to describe. */
export interface WalkshedSummary {
  request: WalkshedRequest;
  speed: SpeedId;
  minutes: number;
  cells: number;
  snappedDistM?: number;
}

/** The open popup. */
export type PopupState =
  | { kind: 'cell'; h3: string; lngLat: [number, number]; detail: CellDetail | null; error: string | null }
  | { kind: 'facility'; lngLat: [number, number]; facility: FacilityProps }
  | { kind: 'point'; lngLat: [number, number] };

/** Something loading, shown in the progress bar. */
export interface Task {
  id: number;
  label: MessageKey;
}

/** A failure shown to the user until dismissed. */
export interface ShownError {
  id: number;
  what: MessageKey;
  message: string;
}

export class AppState {
  city = $state.raw<City | null>(null);
  selection = new Selection();
  mode = $state<Mode>({ kind: 'coverage' });
  view = $state<View>('coverage');

  /** `/api/compliance` and `/api/profile`, loaded the first time either is needed. */
  compliance = $state.raw<Compliance | null>(null);
  profile = $state.raw<Profile | null>(null);
  /** The community (its id) whose findings the compliance panel shows. */
  complianceCommunity = $state<string | null>(null);
  /** The rule whose card is open (the page's `#rule=<id>`). */
  ruleId = $state<string | null>(null);
  #complianceLoad: Promise<void> | null = null;

  /** Per-community coverage for the current selection (set by CommunitiesLayer). */
  communities = $state.raw<Communities | null>(null);
  /** Ask the communities layer to zoom to a community; `nonce` makes a repeat click count. */
  focus = $state<{ index: number; nonce: number } | null>(null);

  popup = $state<PopupState | null>(null);
  walkshedRequest = $state.raw<WalkshedRequest | null>(null);
  walkshed = $state.raw<WalkshedSummary | null>(null);

  /** The map's `load` fired. */
  mapLoaded = $state(false);
  /** The cells layer has rendered its data once. */
  cellsDrawn = $state(false);
  /** Ids of the city's demand cells (set with the cells), for telling a click on a cell from one beside the grid. */
  cellIds: ReadonlySet<string> = new Set();

  tasks = $state<Task[]>([]);
  errors = $state<ShownError[]>([]);
  #next = 0;

  /** Walking speed of the selection, metres per minute (0 until the city is known). */
  get speedMPerMin(): number {
    return this.city?.speeds[this.selection.speed] ?? 0;
  }

  /** The selected category as `/api/city` describes it. */
  get category() {
    return this.city?.categories.find((c) => c.id === this.selection.category) ?? null;
  }

  /** City-wide coverage row of the selection. */
  get cityCoverage() {
    const s = this.selection;
    return this.city?.coverage.find((r) => r.category === s.category && r.tier === s.tier && r.speed === s.speed) ?? null;
  }

  /** Adopt the city's defaults once it is known (a category it has, its longest tier). */
  setCity(city: City): void {
    this.city = city;
    const s = this.selection;
    if (!city.categories.some((c) => c.id === s.category) && city.categories.length) s.category = city.categories[0].id;
    if (!city.tiers.includes(s.tier)) s.tier = Math.max(...city.tiers);
  }

  /**
   * Show `label` in the progress bar while `promise` runs; show its error if it fails (aborts are
   * silent). Resolves like `promise`.
   */
  async track<T>(label: MessageKey, promise: Promise<T>): Promise<T> {
    const id = ++this.#next;
    // called from effects: reading `tasks` here must not make the caller depend on it
    untrack(() => this.tasks.push({ id, label }));
    try {
      return await promise;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.showError(label, err);
      throw err;
    } finally {
      this.tasks = this.tasks.filter((task) => task.id !== id);
    }
  }

  /** Show an error (an {@link ApiError}'s server message, or any error's text). */
  showError(what: MessageKey, err: unknown): void {
    let message: string;
    if (err instanceof ApiError) {
      message = err.status === 0 ? `${t('error.network')} (${err.message})` : `${err.message} [${err.status}]`;
    } else {
      message = err instanceof Error ? err.message : String(err);
    }
    untrack(() => this.errors.push({ id: ++this.#next, what, message }));
  }

  dismissError(id: number): void {
    this.errors = this.errors.filter((e) => e.id !== id);
  }

  /** Switch the view; the compliance view has no walkshed tool, popup nor walkshed of its own. */
  setView(view: View): void {
    this.view = view;
    if (view !== 'compliance') return;
    this.mode = { kind: 'coverage' };
    this.clearWalkshed();
    this.popup = null;
    this.loadCompliance();
  }

  /** Fetch compliance and the profile once (again after a failure, which is shown). */
  loadCompliance(): Promise<void> {
    this.#complianceLoad ??= Promise.all([this.track('loading.compliance', api.compliance()), this.track('loading.profile', api.profile())]).then(
      ([compliance, profile]) => {
        this.compliance = compliance;
        this.profile = profile;
      },
      () => {
        this.#complianceLoad = null;
      },
    );
    return this.#complianceLoad;
  }

  /** Open the card of rule `id` (null closes it). */
  openRule(id: string | null): void {
    this.ruleId = id;
    if (id) this.loadCompliance();
  }

  zoomToCommunity(index: number): void {
    this.focus = { index, nonce: (this.focus?.nonce ?? 0) + 1 };
  }

  clearWalkshed(): void {
    this.walkshedRequest = null;
    this.walkshed = null;
    if (this.popup?.kind === 'facility' || this.popup?.kind === 'point') this.popup = null;
  }
}

/** The one app state, shared by every component. */
export const app = new AppState();
