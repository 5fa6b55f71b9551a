/**
 * A run keys its stored outputs by suite name, so the suites of one run need distinct names: a repeated name is
 * renamed "name (2)", "name (3)", … rather than letting one suite's outputs overwrite the other's.
 */
export function uniqueName(name: string, names: Iterable<string>): string {
  const taken = names instanceof Set ? (names as ReadonlySet<string>) : new Set(names);
  if (!taken.has(name)) return name;
  for (let k = 2; ; k++) if (!taken.has(`${name} (${k})`)) return `${name} (${k})`;
}

/** The names in order, each repeat renamed by `uniqueName` (the first keeps its name). */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>(names);
  const seen = new Set<string>();
  return names.map((n) => {
    if (!seen.has(n)) {
      seen.add(n);
      return n;
    }
    const renamed = uniqueName(n, taken);
    taken.add(renamed);
    return renamed;
  });
}
