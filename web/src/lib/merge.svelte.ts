/**
 * The merge mode's state: the community units, the units picked on the map and their live check
 * against the joint-community rule, the scenario's joint communities, and suggested groups. The
 * edits themselves (merge, unmerge, rename) go through the scenario state, so they queue behind
 * any other change and carry its baseVersion.
 */
import { api, type Joint, type JointCheck, type JointSuggestAnswer, type JointSuggestRequest, type Units } from './api.ts';
import { scenario } from './scenario.svelte.ts';
import { app } from './state.svelte.ts';

export class MergeState {
  /** `/api/units`, loaded the first time the mode opens. */
  units = $state.raw<Units | null>(null);
  /** Unit ids picked on the map, in click order. */
  selected = $state.raw<string[]>([]);
  /** The check of the picked units (null while fewer than one or while asking). */
  check = $state.raw<JointCheck | null>(null);
  /** The scenario's joint communities (set by JointLayer). */
  joints = $state.raw<Joint[]>([]);
  /** The joint community picked on the map (its id). */
  joint = $state<string | null>(null);
  /** The last merge was refused as not contiguous: the panel offers to merge anyway. */
  offerOverride = $state(false);
  proposal = $state.raw<{ request: JointSuggestRequest; answer: JointSuggestAnswer } | null>(null);
  suggesting = $state(false);

  #unitsLoad: Promise<void> | null = null;

  get pickedJoint(): Joint | null {
    return this.joints.find((j) => j.id === this.joint) ?? null;
  }

  /** The picked units' features. */
  get pickedUnits() {
    const ids = new Set(this.selected);
    return this.units?.features.filter((f) => ids.has(f.properties.id)) ?? [];
  }

  loadUnits(): Promise<void> {
    this.#unitsLoad ??= app.track('loading.units', api.units()).then(
      (fc) => void (this.units = fc),
      () => void (this.#unitsLoad = null),
    );
    return this.#unitsLoad;
  }

  /** Pick or drop a unit, and check the new selection. */
  toggle(id: string): void {
    this.joint = null;
    this.offerOverride = false;
    this.selected = this.selected.includes(id) ? this.selected.filter((u) => u !== id) : [...this.selected, id];
    this.#recheck();
  }

  pickJoint(id: string | null): void {
    this.joint = id;
    if (id) this.clearSelection();
  }

  clearSelection(): void {
    this.selected = [];
    this.offerOverride = false;
    this.#recheck();
  }

  /** A check is quick: a superseded one is left to finish and its answer dropped, not aborted. */
  #recheck(): void {
    this.check = null;
    if (!this.selected.length) return;
    const units = this.selected;
    app.track('loading.jointCheck', api.jointCheck(units)).then(
      (c) => {
        if (this.selected === units) this.check = c;
      },
      () => {},
    );
  }

  /** Merge the picked units; a refusal for not being contiguous offers `override`. */
  async merge(override = false): Promise<void> {
    const units = this.selected;
    if (units.length < 2) return;
    const out = await scenario.edit({ op: 'merge', units, ...(override ? { override } : {}) });
    if (out) {
      this.clearSelection();
      return;
    }
    this.offerOverride = scenario.refusal?.status === 400 && scenario.refusal.param === 'edit.units';
  }

  async unmerge(): Promise<void> {
    const id = this.joint;
    if (id && (await scenario.edit({ op: 'unmerge', joint: id }))) this.joint = null;
  }

  rename(name: string): void {
    const id = this.joint;
    if (id && name.trim()) scenario.edit({ op: 'rename-joint', joint: id, name: name.trim() });
  }

  async suggest(request: JointSuggestRequest): Promise<void> {
    this.proposal = null;
    this.suggesting = true;
    try {
      const answer = await app.track('loading.jointSuggest', api.jointSuggest(request));
      this.proposal = { request, answer };
    } catch {
      // shown by track
    } finally {
      this.suggesting = false;
    }
  }

  /** The proposed groups of two or more units: a unit that meets the rule alone needs no merge. */
  get mergeable(): JointCheck[] {
    return this.proposal?.answer.groups.filter((g) => g.units.length >= 2) ?? [];
  }

  /** One merge edit per proposed group of two or more units, in order; stops at the first refused. */
  async accept(): Promise<void> {
    const groups = this.mergeable;
    this.proposal = null;
    for (const g of groups) {
      if (!(await scenario.edit({ op: 'merge', units: g.units.map((u) => u.id) }))) break;
    }
  }

  discard(): void {
    this.proposal = null;
  }

  /** Leaving the mode or the scenario: nothing picked, nothing proposed. */
  reset(): void {
    this.selected = [];
    this.check = null;
    this.joint = null;
    this.offerOverride = false;
    this.proposal = null;
  }
}

/** The one merge state, shared by the merge mode, its panel and the units and joint layers. */
export const merge = new MergeState();
