import { describe, expect, it } from 'vitest';
import { formatPhases, loadPhases, type LoadEvent } from '../../src/worker/load-phases.ts';

describe("a load's time split from transformers.js progress events (#13)", () => {
  it('splits reading, browser-cache writes, session creation and the probe', () => {
    const MB = 2 ** 20;
    const events: LoadEvent[] = [
      { at: 100, status: 'initiate', file: 'config.json' },
      { at: 110, status: 'progress', file: 'config.json', loaded: 1000, total: 1000 },
      { at: 115, status: 'done', file: 'config.json' },
      { at: 120, status: 'initiate', file: 'onnx/model.onnx' },
      { at: 200, status: 'progress', file: 'onnx/model.onnx', loaded: MB, total: 100 * MB },
      { at: 1200, status: 'progress', file: 'onnx/model.onnx', loaded: 100 * MB, total: 100 * MB },
      { at: 1700, status: 'done', file: 'onnx/model.onnx' },
      { at: 1700, status: 'progress_total' },
    ];
    const p = loadPhases(events, 0, 4700, 4900);
    expect(p).toEqual({
      readMs: 1200,
      bytes: 100 * MB + 1000,
      largestFile: 'onnx/model.onnx',
      largestReadMs: 1000,
      largestBytes: 100 * MB,
      cacheMs: 5 + 500,
      sessionMs: 3000,
      probeMs: 200,
    });
    expect(formatPhases(p)).toBe(
      'read 1.2 s (100 MB; onnx/model.onnx at 100 MB/s) · browser-cache write 0.5 s · session creation 3.0 s · first forward 0.2 s',
    );
  });

  it('reads a load from the cache with no events as all session', () => {
    expect(loadPhases([], 10, 60, 70)).toMatchObject({ readMs: 0, cacheMs: 0, sessionMs: 50, probeMs: 10, bytes: 0 });
  });
});
