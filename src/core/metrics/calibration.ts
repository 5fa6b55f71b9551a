/** A reliability diagram's bins and the expected calibration error of (confidence, correct) pairs. */
export interface CalibrationBin {
  low: number;
  high: number;
  n: number;
  meanConfidence: number;
  accuracy: number;
}

export interface Calibration {
  bins: CalibrationBin[];
  /** Σ_b (n_b / N) · |accuracy_b − confidence_b| over non-empty bins. */
  ece: number;
  n: number;
}

/** Equal-width bins over [0, 1]; a confidence of exactly 1 falls in the last bin. */
export function calibrate(points: readonly { confidence: number; correct: boolean }[], binCount = 10): Calibration {
  if (!(Number.isInteger(binCount) && binCount >= 1))
    throw new Error(`bin count must be a whole number >= 1, got ${binCount}`);
  const sums = Array.from({ length: binCount }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const p of points) {
    if (!(p.confidence >= 0 && p.confidence <= 1)) throw new Error(`confidence must be in [0, 1], got ${p.confidence}`);
    const b = Math.min(binCount - 1, Math.floor(p.confidence * binCount));
    sums[b]!.n++;
    sums[b]!.conf += p.confidence;
    if (p.correct) sums[b]!.right++;
  }
  const N = points.length;
  const bins = sums.map((s, i) => ({
    low: i / binCount,
    high: (i + 1) / binCount,
    n: s.n,
    meanConfidence: s.n ? s.conf / s.n : 0,
    accuracy: s.n ? s.right / s.n : 0,
  }));
  const ece = N === 0 ? 0 : bins.reduce((e, b) => e + (b.n / N) * Math.abs(b.accuracy - b.meanConfidence), 0);
  return { bins, ece, n: N };
}
