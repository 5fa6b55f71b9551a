/** A small, strict argument parser: --name value pairs after a command; unknown flags are errors. */
export interface ParsedArgs {
  command: string;
  flags: Record<string, string>;
}

export function parseArgs(argv: readonly string[], known: Record<string, readonly string[]>): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return { command: 'help', flags: {} };
  const allowed = known[command];
  if (!allowed) throw new Error(`unknown command "${command}"; commands: ${Object.keys(known).join(', ')}`);
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}" (flags look like --name value)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!allowed.includes(name))
      throw new Error(`unknown flag --${name} for "${command}"; flags: ${allowed.map((f) => `--${f}`).join(', ')}`);
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new Error(`flag --${name} needs a value`);
    flags[name] = value;
  }
  return { command, flags };
}

export function intFlag(flags: Record<string, string>, name: string, fallback?: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return n;
}
