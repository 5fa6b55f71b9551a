import { BUILTIN_METHODS, DEFAULT_METHOD_IDS, findMethod, type MethodSpec } from '../../core/methods/method.ts';
import { steeredMethod } from '../../core/steer/sweep.ts';
import { methodSchema } from '../../core/schema/method-schema.ts';
import { validate } from '../../core/schema/validate.ts';
import { errorMessage } from '../../core/errors.ts';

/** The methods the panel offers (built-in, edited, added by a link or by steering) and which of them are ticked. */
export class MethodsState {
  #all = $state.raw<MethodSpec[]>(BUILTIN_METHODS.map((m) => structuredClone(m)));
  #enabled = $state.raw<string[]>([...DEFAULT_METHOD_IDS]);

  /** Every method the panel offers. */
  get all(): readonly MethodSpec[] {
    return this.#all;
  }

  /** The ids of the methods ticked for the next run. */
  get enabled(): readonly string[] {
    return this.#enabled;
  }

  /** The methods the next run uses: the one place they are resolved (the run, its link and its header read them). */
  get chosen(): MethodSpec[] {
    return this.#all.filter((m) => this.#enabled.includes(m.id));
  }

  /** Take the methods a link (or a stored run) names: they replace those with their ids, and only they are ticked. */
  applyConfig(methods: readonly MethodSpec[]): void {
    this.#all = [
      ...this.#all.map((m) => methods.find((x) => x.id === m.id) ?? m),
      ...methods.filter((m) => !this.#all.some((x) => x.id === m.id)),
    ];
    this.#enabled = methods.map((m) => m.id);
  }

  toggle(id: string, on: boolean): void {
    if (on === this.#enabled.includes(id)) return;
    this.#enabled = on ? [...this.#enabled, id] : this.#enabled.filter((m) => m !== id);
  }

  /**
   * Add greedy decoding of the plain prompt steered by an SAE feature (at every position) to the methods and enable
   * it; the same layer, feature and scale replace an earlier one. Returns its label.
   */
  addFeatureSteer(layer: number, feature: number, scale: number): string {
    const base = findMethod('greedy-plain');
    const m = steeredMethod(base, { layer, feature, scale }, `f${feature}`);
    const next = { ...m, label: `Greedy, steered by SAE feature ${feature} (layer ${layer}, scale ${scale})` };
    this.#all = [...this.#all.filter((x) => x.id !== next.id), next];
    if (!this.#enabled.includes(next.id)) this.#enabled = [...this.#enabled, next.id];
    return next.label;
  }

  update(next: MethodSpec): void {
    this.#all = this.#all.map((m) => (m.id === next.id ? next : m));
  }

  /** Replace a method from edited JSON; a bad edit is reported and changes nothing. */
  editJson(id: string, text: string): string | null {
    try {
      const next = validate(methodSchema, JSON.parse(text), `method ${id}`);
      if (next.id !== id) return `method ${id}: the id cannot change here`;
      this.update(next);
      return null;
    } catch (err) {
      return errorMessage(err);
    }
  }
}
