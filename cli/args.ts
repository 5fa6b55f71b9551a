/**
 * A small, strict argument parser driven by a table of commands and their flags: --name value pairs (or
 * --name=value) and, where a command takes one, a file argument; unknown flags are errors. The same table prints
 * the help, so a flag cannot exist without its line in `--help`.
 */
export interface FlagSpec {
  name: string;
  /** What the value looks like in the help ("<id>", "<n>"). */
  value: string;
  help: string;
}

export interface CommandSpec {
  usage: string;
  summary: string;
  /** A file argument (not a flag) the command takes, e.g. `coax show <file>`. */
  argument?: string;
  flags: readonly FlagSpec[];
  /** Lines printed after the flags (defaults, examples). */
  notes?: string;
}

export interface ParsedArgs {
  /** 'help' for `coax`, `coax --help` and `coax help`. */
  command: string;
  flags: Record<string, string>;
  argument?: string;
  /** `coax <command> --help`: print that command's help and do nothing else. */
  help: boolean;
}

const isHelp = (a: string) => a === '--help' || a === '-h';

export function parseArgs(argv: readonly string[], commands: Record<string, CommandSpec>): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command || isHelp(command) || command === 'help') return { command: 'help', flags: {}, help: true };
  const spec = commands[command];
  if (!spec) throw new Error(`unknown command "${command}"; commands: ${Object.keys(commands).join(', ')}`);
  if (rest.some(isHelp)) return { command, flags: {}, help: true };
  const flags: Record<string, string> = {};
  let argument: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      if (spec.argument && argument === undefined) {
        argument = arg;
        continue;
      }
      throw new Error(
        `unexpected argument "${arg}" for "${command}" (flags look like --name value; see coax ${command} --help)`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (!spec.flags.some((f) => f.name === name))
      throw new Error(
        `unknown flag --${name} for "${command}"; flags: ${spec.flags.map((f) => `--${f.name}`).join(', ')} (coax ${command} --help)`,
      );
    const value = inline ?? rest[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new Error(`flag --${name} needs a value`);
    if (name in flags) throw new Error(`flag --${name} is given twice ("${flags[name]}" and "${value}")`);
    flags[name] = value;
  }
  if (spec.argument && argument === undefined)
    throw new Error(`"${command}" needs ${spec.argument} (coax ${command} --help)`);
  return { command, flags, argument, help: false };
}

/** One command's help: usage, what it does, and every flag from the table. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const width = Math.max(...spec.flags.map((f) => f.name.length + f.value.length + 3));
  const flagLines = spec.flags.map((f) => {
    const left = `--${f.name} ${f.value}`.padEnd(width);
    return `  ${left}  ${f.help.split('\n').join(`\n  ${' '.repeat(width)}  `)}`;
  });
  return [
    `coax ${name} — ${spec.summary}`,
    '',
    `  ${spec.usage}`,
    '',
    ...flagLines,
    ...(spec.notes ? ['', spec.notes] : []),
  ].join('\n');
}

/** `coax --help`: every command's usage line and summary. */
export function overallHelp(intro: string, commands: Record<string, CommandSpec>): string {
  return [
    intro,
    '',
    ...Object.entries(commands).flatMap(([, spec]) => [`  ${spec.usage}`, `      ${spec.summary}`]),
    '',
    'coax <command> --help prints the flags of one command.',
  ].join('\n');
}

export interface IntRange {
  min?: number;
  max?: number;
}

/** A whole-number flag in [min, max]: "7", not "7.5", "1e3", "0x10" or "" (which Number() would accept). */
export function intFlag(
  flags: Record<string, string>,
  name: string,
  fallback?: number,
  range: IntRange = {},
): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  const { min = -Infinity, max = Infinity } = range;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new Error(
      `--${name} must be ${
        max === Infinity ? `at least ${min}` : min === -Infinity ? `at most ${max}` : `between ${min} and ${max}`
      }, got ${raw}`,
    );
  return n;
}

/** Seeds are 32-bit unsigned integers everywhere (src/core/rng.ts); a larger one would be silently wrapped. */
export const SEED_RANGE: IntRange = { min: 0, max: 2 ** 32 - 1 };

/** A number list flag: "1,2,3". */
export function numberList(flags: Record<string, string>, name: string, fallback: number[]): number[] {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((x) => !Number.isFinite(x)))
    throw new Error(`--${name}: "${raw}" is not a comma-separated list of numbers`);
  return list;
}
