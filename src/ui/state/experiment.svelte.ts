import type { Remote } from 'comlink';
import { Comlink } from '../worker-client.ts';
import { accuracyOf, type MethodAccuracy } from '../../core/metrics/accuracy.ts';
import { BUILTIN_METHODS, type MethodSpec } from '../../core/methods/method.ts';
import { additionSuite } from '../../core/tasks/addition-suite.ts';
import type { ItemResult, MethodOutput } from '../../core/run/results.ts';
import type { RunProgress } from '../../core/run/run-suite.ts';
import type { WorkerApi } from '../../worker/protocol.ts';

export type RunStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

/** One comparison: suite settings, chosen methods, the run's progress and its results (kept when a run stops). */
export class ExperimentState {
  suiteSize = $state(10);
  suiteSeed = $state(1);
  seed = $state(1);
  batchSize = $state(8);
  methodIds = $state<string[]>(BUILTIN_METHODS.map((m) => m.id));
  status = $state<RunStatus>('idle');
  progress = $state.raw<RunProgress | null>(null);
  items = $state.raw<ItemResult[]>([]);
  runMethods = $state.raw<MethodSpec[]>([]);
  error = $state<string | null>(null);
  elapsedMs = $state(0);

  readonly methods = BUILTIN_METHODS;
  readonly suite = $derived(additionSuite({ seed: this.suiteSeed, count: Math.max(1, Math.min(500, this.suiteSize | 0)) }));
  readonly accuracies: MethodAccuracy[] = $derived(this.runMethods.map((m) => accuracyOf(this.items, m.id)));

  constructor(private readonly worker: Remote<WorkerApi>) {}

  toggleMethod(id: string, on: boolean): void {
    this.methodIds = on ? [...new Set([...this.methodIds, id])] : this.methodIds.filter((m) => m !== id);
  }

  async run(): Promise<void> {
    if (this.status === 'running' || this.status === 'cancelling') return;
    const methods = this.methods.filter((m) => this.methodIds.includes(m.id));
    if (methods.length === 0) {
      this.error = 'Choose at least one method.';
      return;
    }
    this.error = null;
    this.status = 'running';
    this.runMethods = methods;
    this.items = this.suite.items.map((it) => ({ itemId: it.id, question: it.question, answer: it.answer, tags: it.tags ?? {}, outputs: {} }));
    this.progress = { done: 0, total: this.items.length * methods.length, methodId: methods[0]!.id };
    const started = performance.now();
    try {
      await this.worker.run(
        { suite: { kind: 'addition', seed: this.suiteSeed, count: this.items.length }, methodIds: methods.map((m) => m.id), seed: this.seed, batchSize: this.batchSize },
        Comlink.proxy((p: RunProgress) => (this.progress = p)),
        Comlink.proxy((index: number, methodId: string, output: MethodOutput) => this.record(index, methodId, output)),
      );
      this.status = 'done';
    } catch (err) {
      // Whatever finished before the error or the cancel stays in `items`.
      if ((this.status as RunStatus) === 'cancelling' || String(err).includes('cancelled')) this.status = 'cancelled';
      else {
        this.status = 'failed';
        this.error = String(err);
      }
    } finally {
      this.elapsedMs = performance.now() - started;
    }
  }

  cancel(): void {
    if (this.status !== 'running') return;
    this.status = 'cancelling';
    void this.worker.cancel();
  }

  private record(index: number, methodId: string, output: MethodOutput): void {
    const next = this.items.slice();
    const item = next[index];
    if (!item) return;
    next[index] = { ...item, outputs: { ...item.outputs, [methodId]: output } };
    this.items = next;
  }
}
