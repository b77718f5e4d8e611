/**
 * The selected scenario and what the siting tools show of it. Panels and the siting mode call
 * these methods; the layers read the state and fetch their own data (stations, cell distances,
 * compare) when the scenario's version changes.
 *
 * Every change sends the version it was based on; changes run one at a time so each sees the
 * version the previous one left. A 409 (the scenario moved on elsewhere) reloads it and shows the
 * server's message. The selected scenario's id is kept in the address (`?scenario=<id>`), so a
 * reload opens it again.
 */
import { ApiError, api, type Change, type DeltaRow, type Edit, type ScenarioInfo, type Stations, type SuggestAnswer, type SuggestRequest } from './api.ts';
import { combine } from './delta.ts';
import type { MessageKey } from './i18n.svelte.ts';
import { app } from './state.svelte.ts';

/** What the delta panel shows: the last change, or a preview while a station is dragged. */
export interface ShownDelta {
  what: Edit['op'] | 'undo' | 'redo' | 'accept';
  /** Sites accepted at once (for 'accept'). */
  count?: number;
  preview: boolean;
  rows: DeltaRow[];
}

/** A station being dragged, where the pointer holds it now. */
export interface Dragged {
  id: string;
  lon: number;
  lat: number;
}

const PARAM = 'scenario';

/** Keep the selected scenario in the address without adding a history entry (the hash stays). */
function writeAddress(id: string | null): void {
  const url = new URL(location.href);
  if (id) url.searchParams.set(PARAM, id);
  else url.searchParams.delete(PARAM);
  history.replaceState(history.state, '', url);
}

const infoOf = (s: ScenarioInfo): ScenarioInfo => ({
  id: s.id, name: s.name, version: s.version, head: s.head, editCount: s.editCount, canUndo: s.canUndo, canRedo: s.canRedo,
});

export class ScenarioState {
  /** Every stored scenario (loaded once the cells are drawn). */
  list = $state.raw<ScenarioInfo[]>([]);
  /** The selected scenario; null: the baseline. */
  current = $state.raw<ScenarioInfo | null>(null);
  /** Stored edits the rebuilt city no longer accepts (undo and redo are then refused). */
  skipped = $state.raw<string[]>([]);
  /** The scenario's stations (set by StationsLayer). */
  stations = $state.raw<Stations | null>(null);
  /** The station picked on the map (its id). */
  selected = $state<string | null>(null);
  dragging = $state.raw<Dragged | null>(null);
  delta = $state.raw<ShownDelta | null>(null);
  /** Proposed sites, drawn on the map until accepted or discarded. */
  suggestion = $state.raw<{ request: SuggestRequest; answer: SuggestAnswer } | null>(null);
  /** A siting request is being solved. */
  solving = $state(false);
  /** A change is on its way to the server. */
  saving = $state(false);
  /** Why the last change was refused (null once one succeeds): the merge panel offers an override for a 400. */
  refusal = $state.raw<ApiError | null>(null);

  #queue: Promise<unknown> = Promise.resolve();
  #initialised = false;
  #solve: AbortController | null = null;

  /** The selected station's feature. */
  get station() {
    return this.stations?.features.find((f) => f.properties.id === this.selected) ?? null;
  }

  /** Run changes one at a time. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Load the list and open the scenario the address names; once, after the cells' first draw. */
  async init(): Promise<void> {
    if (this.#initialised) return;
    this.#initialised = true;
    const wanted = new URL(location.href).searchParams.get(PARAM);
    const list = await app.track('loading.scenarios', api.scenarios()).catch(() => null);
    if (list) this.list = list.scenarios;
    if (wanted) await this.select(wanted);
  }

  /** Open scenario `id`, or the baseline (null). */
  select(id: string | null): Promise<void> {
    return this.#serial(async () => {
      this.#reset();
      if (!id) {
        this.current = null;
        this.skipped = [];
        writeAddress(null);
        if (app.mode.kind === 'siting' || app.mode.kind === 'merge') app.mode = { kind: 'coverage' };
        return;
      }
      try {
        const detail = await app.track('loading.scenario', api.scenario(id));
        this.current = infoOf(detail);
        this.skipped = detail.skipped;
        writeAddress(id);
      } catch {
        this.current = null;
        writeAddress(null);
      }
    });
  }

  async create(name: string): Promise<void> {
    const made = await app.track('loading.edit', api.createScenario(name)).catch(() => null);
    if (!made) return;
    this.list = [...this.list, made];
    await this.select(made.id);
  }

  rename(name: string): Promise<void> {
    return this.#serial(async () => {
      const sc = this.current;
      if (!sc) return;
      try {
        this.#adopt(await app.track('loading.edit', api.renameScenario(sc.id, name, sc.version)));
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) await this.#reload(sc.id);
      }
    });
  }

  async remove(): Promise<void> {
    const sc = this.current;
    if (!sc) return;
    const gone = await app.track('loading.edit', api.deleteScenario(sc.id)).then(() => true, () => false);
    if (!gone) return;
    this.list = this.list.filter((s) => s.id !== sc.id);
    await this.select(null);
  }

  /** Apply an edit; resolves with the change, or null when it was refused (the error is shown). */
  edit(edit: Edit): Promise<Change | null> {
    return this.#change('loading.edit', edit.op, (id, version) => api.edit(id, edit, version));
  }

  undo(): Promise<Change | null> {
    return this.#change('loading.edit', 'undo', (id, version) => api.undo(id, version));
  }

  redo(): Promise<Change | null> {
    return this.#change('loading.edit', 'redo', (id, version) => api.redo(id, version));
  }

  /** Show the delta an edit would make (while dragging); failures (no street there) are not shown. */
  async preview(edit: Edit, signal: AbortSignal): Promise<void> {
    const sc = this.current;
    if (!sc) return;
    try {
      const { delta } = await api.preview(sc.id, edit, signal);
      if (!signal.aborted && this.current?.id === sc.id) this.delta = { what: edit.op, preview: true, rows: delta };
    } catch {
      // keep the last delta shown
    }
  }

  /** Ask for sites; the answer is drawn until accepted or discarded. */
  async suggest(request: SuggestRequest): Promise<void> {
    const sc = this.current;
    if (!sc) return;
    this.#solve?.abort();
    const ctrl = new AbortController();
    this.#solve = ctrl;
    this.suggestion = null;
    this.solving = true;
    try {
      const answer = await app.track('loading.suggest', api.suggest(sc.id, request, ctrl.signal));
      if (this.current?.id === sc.id) this.suggestion = { request, answer };
    } catch {
      // shown by track (aborts are silent)
    } finally {
      if (this.#solve === ctrl) {
        this.#solve = null;
        this.solving = false;
      }
    }
  }

  /** Add the proposed sites, one add edit each in rank order; the panel shows their summed delta. */
  async accept(): Promise<void> {
    const s = this.suggestion;
    if (!s) return;
    this.suggestion = null;
    const deltas: DeltaRow[][] = [];
    for (const p of s.answer.proposals) {
      const out = await this.edit({ op: 'add', category: s.request.category, lon: p.lon, lat: p.lat });
      if (!out) break;
      deltas.push(out.delta);
    }
    if (deltas.length) this.delta = { what: 'accept', count: deltas.length, preview: false, rows: combine(deltas) };
  }

  discard(): void {
    this.#solve?.abort();
    this.suggestion = null;
  }

  #change(label: MessageKey, what: ShownDelta['what'], send: (id: string, version: number) => Promise<Change>): Promise<Change | null> {
    return this.#serial(async () => {
      const sc = this.current;
      if (!sc) return null;
      this.saving = true;
      try {
        const out = await app.track(label, send(sc.id, sc.version));
        if (this.current?.id !== sc.id) return null;
        this.#adopt(out.scenario);
        this.delta = { what, preview: false, rows: out.delta };
        this.refusal = null;
        return out;
      } catch (err) {
        this.refusal = err instanceof ApiError ? err : null;
        if (err instanceof ApiError && err.status === 409) await this.#reload(sc.id);
        return null;
      } finally {
        this.saving = false;
      }
    });
  }

  /** Fetch the scenario again after a 409: its version and head as stored now. */
  async #reload(id: string): Promise<void> {
    const detail = await app.track('loading.scenario', api.scenario(id)).catch(() => null);
    if (detail && this.current?.id === id) {
      this.#adopt(infoOf(detail));
      this.skipped = detail.skipped;
    }
  }

  #adopt(info: ScenarioInfo): void {
    this.current = infoOf(info);
    this.list = this.list.map((s) => (s.id === info.id ? this.current! : s));
  }

  #reset(): void {
    this.#solve?.abort();
    this.stations = null;
    this.selected = null;
    this.dragging = null;
    this.delta = null;
    this.suggestion = null;
  }
}

/** The one scenario state, shared by the panels, layers and the siting mode. */
export const scenario = new ScenarioState();
