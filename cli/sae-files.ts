import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SaeSource } from '../src/core/methods/execute.ts';
import { parseSae, type Sae } from '../src/core/steer/sae.ts';

/** The SAEs a model folder ships in sae/ (training/sae/train_sae.py), each layer read once on first use. */
export function folderSae(folder: string): SaeSource {
  const loaded = new Map<number, Sae>();
  return async (layer) => {
    let sae = loaded.get(layer);
    if (!sae) {
      const meta = join(folder, 'sae', `layer${layer}.json`);
      if (!existsSync(meta))
        throw new Error(
          `no SAE for layer ${layer} at ${meta} (training/sae/train_sae.py --layers ${layer} writes one)`,
        );
      const parsed: unknown = JSON.parse(readFileSync(meta, 'utf8'));
      const bin = readFileSync(join(folder, 'sae', (parsed as { weights?: string }).weights ?? `layer${layer}.bin`));
      sae = parseSae(parsed, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
      loaded.set(layer, sae);
    }
    return sae;
  };
}

/** Layers with a shipped SAE in a model folder. */
export function saeLayers(folder: string): number[] {
  const dir = join(folder, 'sae');
  if (!existsSync(dir)) return [];
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].filter((l) => existsSync(join(dir, `layer${l}.json`)));
}
