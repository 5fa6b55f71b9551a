/**
 * The shared-prefix graph against the stock graph in Node (the measurement: src/worker/bench/prefix-bench.ts, which
 * the page's worker runs too): both graphs of the realistic model loaded with onnxruntime-node, fp32, RSS sampled.
 */
import { loadOnNode } from '../cli/node-model.ts';
import { prefixGraphBench as measure, type PrefixGraphBench } from '../src/worker/bench/prefix-bench.ts';

export { prefixGraphTable, type PrefixGraphBench } from '../src/worker/bench/prefix-bench.ts';

export async function prefixGraphBench(id: string, quick: boolean): Promise<PrefixGraphBench> {
  const stock = await loadOnNode(id, { dtype: 'fp32' });
  const prefixed = await loadOnNode(id, { dtype: 'fp32', modelFileName: 'model_prefix' });
  try {
    return await measure(prefixed, (fn) => fn(stock), {
      quick,
      where: 'Node, onnxruntime-node',
      dtype: 'fp32',
      now: () => performance.now(),
      memory: () => process.memoryUsage().rss,
    });
  } finally {
    await stock.dispose();
    await prefixed.dispose();
  }
}
