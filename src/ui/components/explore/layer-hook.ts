import type { TokenTrace } from '../../../core/decode/trace.ts';

/**
 * What a layer view gets for the focused token of an explored path: the hook where the "Inside the model" views
 * (logit lens, steering; issue 16) attach to Explore's trace. ExploreView renders its `layers` snippet with this
 * under the focused token; a view that needs the model asks the worker with `context` (the exact ids the model saw
 * before `token`). Nothing is attached yet.
 */
export interface LayerFocus {
  modelId: string;
  treeId: string;
  branchId: string;
  position: number;
  /** The prompt's ids followed by the path's ids before `position`. */
  context: number[];
  token: TokenTrace;
}
