/** How a token trace is drawn, shared by the comparison view's traces and Explore's. */

/** Probability to colour: low (red) … high (green), read as "how sure was the model of this token". */
export function probColor(p: number): string {
  const hue = Math.round(120 * p);
  return `hsl(${hue} 70% 85%)`;
}

/** A token's text as drawn: newlines as ⏎, spaces kept visible, an empty token as ∅. */
export function showToken(s: string): string {
  return s.replace(/\n/g, '⏎').replace(/ /g, '\u00a0') || '∅';
}

/** A probability to three decimals, or in powers of ten below 0.001 (so a rare alternative does not read as 0). */
export function formatProb(p: number): string {
  return p >= 0.001 || p === 0 ? p.toFixed(3) : p.toExponential(0);
}
