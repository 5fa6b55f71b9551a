/**
 * Item ids are shown in tables, used as keys in stored outputs and written into CSV exports, so they must be
 * visible text: not blank, and free of control characters (NUL among them) and of the bidirectional controls
 * that make a text display differently from what it is.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why `id` cannot be an item id, or null when it can. */
export function idProblem(id: string): string | null {
  if (id.trim() === '') return 'the id is blank';
  const control = CONTROL.exec(id);
  if (control) return `the id holds a control character (U+${hex(control[0])} at character ${control.index + 1})`;
  const bidi = BIDI.exec(id);
  if (bidi) return `the id holds a bidirectional control character (U+${hex(bidi[0])} at character ${bidi.index + 1})`;
  return null;
}

function hex(c: string): string {
  return c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}
