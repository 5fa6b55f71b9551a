/** Where an answer was found in a generated text, so the UI can highlight it. */
export interface Extracted {
  value: string;
  start: number;
  end: number;
}

/** The last integer in the text (thousands separators allowed and removed), or null. */
export function extractLastInteger(text: string): Extracted | null {
  const re = /-?\d+(?:,\d{3})*/g;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m;
  if (!last) return null;
  const value = last[0].replace(/,/g, '').replace(/^(-?)0+(?=\d)/, '$1');
  return { value, start: last.index, end: last.index + last[0].length };
}
