/**
 * A linear-time matcher for users' answer patterns (a Pike VM). JavaScript's own engine backtracks, so a pattern
 * such as (.*)*Z takes exponential time; this one runs every alternative in lockstep, O(text × pattern) per match.
 *
 * The syntax is JavaScript's (the pattern is first compiled by RegExp, which reports syntax errors), with the same
 * leftmost-first choice between alternatives and greedy or lazy quantifiers. Each character test (a literal, a
 * class, an escape, ".") is delegated to RegExp on one character, so classes, flags i/s/u/v and \p{…} mean what
 * they mean in JavaScript. Lookahead and lookbehind are supported (each is one pass over the text); backreferences
 * are refused. Capture groups inside a lookaround never capture.
 */

/** Longest pattern accepted (characters). */
export const MAX_PATTERN_LENGTH = 1000;
/** Largest compiled program (instructions), after counted repetitions such as {50} are expanded. */
const MAX_PROGRAM = 20_000;
/** Work limit per text (thread steps); a linear matcher stays far below it on any answer-sized text. */
const MAX_STEPS = 50_000_000;

type Node =
  | { t: 'char'; src: string }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; index: number | null; body: Node }
  | { t: 'repeat'; body: Node; min: number; max: number; greedy: boolean }
  | { t: 'assert'; kind: 'start' | 'end' | 'word' | 'nonword' }
  | { t: 'look'; ahead: boolean; negate: boolean; body: Node };

type Inst =
  | { op: 'char'; test: (cp: number) => boolean }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; to: number }
  | { op: 'save'; slot: number }
  | { op: 'assert'; kind: 'start' | 'end' | 'word' | 'nonword' }
  | { op: 'look'; id: number; negate: boolean }
  | { op: 'match' };

class Parser {
  i = 0;
  groups = 0;
  constructor(
    readonly src: string,
    readonly unicode: boolean,
    readonly vmode: boolean,
  ) {}

  fail(what: string): never {
    throw new Error(`answer regex: ${what} (at character ${this.i + 1}) is not supported`);
  }

  parseAlt(): Node {
    const alts: Node[] = [this.parseSeq()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.parseSeq());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  parseSeq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.parseTerm();
      items.push(this.parseQuantifier(atom));
    }
    return { t: 'seq', items };
  }

  parseQuantifier(atom: Node): Node {
    const s = this.src;
    let min: number;
    let max: number;
    const c = s[this.i];
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom; // a literal "{" outside unicode mode (RegExp accepted the pattern)
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    let greedy = true;
    if (s[this.i] === '?') {
      greedy = false;
      this.i++;
    }
    return { t: 'repeat', body: atom, min, max, greedy };
  }

  parseTerm(): Node {
    const s = this.src;
    const start = this.i;
    const c = s[this.i]!;
    if (c === '^' || c === '$') {
      this.i++;
      return { t: 'assert', kind: c === '^' ? 'start' : 'end' };
    }
    if (c === '(') {
      this.i++;
      let node: Node;
      if (s.startsWith('?:', this.i)) {
        this.i += 2;
        node = { t: 'group', index: null, body: this.parseAlt() };
      } else if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i)) {
        const negate = s[this.i + 1] === '!';
        this.i += 2;
        node = { t: 'look', ahead: true, negate, body: this.parseAlt() };
      } else if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) {
        const negate = s[this.i + 2] === '!';
        this.i += 3;
        node = { t: 'look', ahead: false, negate, body: this.parseAlt() };
      } else if (s.startsWith('?<', this.i)) {
        this.i = s.indexOf('>', this.i) + 1;
        const index = ++this.groups;
        node = { t: 'group', index, body: this.parseAlt() };
      } else if (s[this.i] === '?') {
        this.fail('a group modifier "(?"');
      } else {
        const index = ++this.groups;
        node = { t: 'group', index, body: this.parseAlt() };
      }
      if (s[this.i] !== ')') this.fail('an unclosed group');
      this.i++;
      return node;
    }
    if (c === '[') {
      let depth = 0;
      for (; this.i < s.length; this.i++) {
        const d = s[this.i];
        if (d === '\\') this.i++;
        else if (d === '[' && (depth === 0 || this.vmode)) depth++;
        else if (d === ']' && --depth === 0) break;
      }
      this.i++;
      return { t: 'char', src: s.slice(start, this.i) };
    }
    if (c === '\\') {
      const e = s[this.i + 1] ?? '';
      if (e === 'b' || e === 'B') {
        this.i += 2;
        return { t: 'assert', kind: e === 'b' ? 'word' : 'nonword' };
      }
      if (/[1-9]/.test(e) || (e === 'k' && s[this.i + 2] === '<')) this.fail('a backreference');
      let m: RegExpExecArray | null;
      const rest = s.slice(this.i);
      if ((e === 'p' || e === 'P') && (m = /^\\[pP]\{[^}]*\}/.exec(rest))) this.i += m[0].length;
      else if ((m = /^\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|c[A-Za-z])/.exec(rest)))
        this.i += m[0].length;
      else this.i += 2;
      return { t: 'char', src: s.slice(start, this.i) };
    }
    if (c === ')') this.fail('an unmatched ")"');
    const cp = s.codePointAt(this.i)!;
    this.i += this.unicode && cp > 0xffff ? 2 : 1;
    return { t: 'char', src: s.slice(start, this.i) };
  }
}

function reverse(n: Node): Node {
  switch (n.t) {
    case 'seq':
      return { t: 'seq', items: n.items.map(reverse).reverse() };
    case 'alt':
      return { t: 'alt', alts: n.alts.map(reverse) };
    case 'group':
      return { ...n, body: reverse(n.body) };
    case 'repeat':
      return { ...n, body: reverse(n.body) };
    default:
      return n;
  }
}

interface Look {
  ahead: boolean;
  prog: Inst[];
}

class Compiler {
  prog: Inst[] = [];
  constructor(
    readonly charTest: (src: string) => (cp: number) => boolean,
    readonly looks: Look[],
    readonly captures: boolean,
  ) {}

  emit(inst: Inst): number {
    if (this.prog.length >= MAX_PROGRAM)
      throw new Error('answer regex is too complex (its counted repetitions expand too far)');
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  node(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit({ op: 'char', test: this.charTest(n.src) });
        return;
      case 'seq':
        for (const item of n.items) this.node(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((alt, k) => {
          if (k < n.alts.length - 1) {
            const split = this.emit({ op: 'split', x: 0, y: 0 });
            (this.prog[split] as { x: number }).x = split + 1;
            this.node(alt);
            jumps.push(this.emit({ op: 'jmp', to: 0 }));
            (this.prog[split] as { y: number }).y = this.prog.length;
          } else this.node(alt);
        });
        for (const j of jumps) (this.prog[j] as { to: number }).to = this.prog.length;
        return;
      }
      case 'group':
        if (n.index !== null && this.captures) this.emit({ op: 'save', slot: 2 * n.index });
        this.node(n.body);
        if (n.index !== null && this.captures) this.emit({ op: 'save', slot: 2 * n.index + 1 });
        return;
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.node(n.body);
        if (n.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          this.node(n.body);
          this.emit({ op: 'jmp', to: split });
          this.setSplit(split, split + 1, this.prog.length, n.greedy);
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(this.emit({ op: 'split', x: 0, y: 0 }));
            this.node(n.body);
          }
          for (const sp of splits) this.setSplit(sp, sp + 1, this.prog.length, n.greedy);
        }
        return;
      }
      case 'assert':
        this.emit({ op: 'assert', kind: n.kind });
        return;
      case 'look': {
        const sub = new Compiler(this.charTest, this.looks, false);
        sub.node(n.ahead ? reverse(n.body) : n.body);
        sub.emit({ op: 'match' });
        if (this.prog.length + sub.prog.length > MAX_PROGRAM)
          throw new Error('answer regex is too complex (its counted repetitions expand too far)');
        this.looks.push({ ahead: n.ahead, prog: sub.prog });
        this.emit({ op: 'look', id: this.looks.length - 1, negate: n.negate });
        return;
      }
    }
  }

  setSplit(at: number, body: number, exit: number, greedy: boolean): void {
    this.prog[at] = greedy ? { op: 'split', x: body, y: exit } : { op: 'split', x: exit, y: body };
  }
}

const isLineTerminator = (cp: number) => cp === 10 || cp === 13 || cp === 0x2028 || cp === 0x2029;
const isWordChar = (cp: number) =>
  (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;

/** A match as RegExp.exec gives it: the groups (undefined where a group took no part) and the start index. */
export interface LinearMatch {
  index: number;
  groups: (string | undefined)[];
}

/** One text prepared for matching: its characters (code points with u/v, else code units) and their offsets. */
class Text {
  readonly cps: number[] = [];
  readonly offs: number[] = [];
  readonly lookSets = new Map<number, Uint8Array>();
  steps = 0;
  constructor(
    readonly s: string,
    unicode: boolean,
  ) {
    for (let k = 0; k < s.length;) {
      const cp = unicode ? s.codePointAt(k)! : s.charCodeAt(k);
      this.cps.push(cp);
      this.offs.push(k);
      k += cp > 0xffff ? 2 : 1;
    }
    this.offs.push(s.length);
  }

  tick(n: number): void {
    this.steps += n;
    if (this.steps > MAX_STEPS) throw new Error('answer regex needed too many steps on this text');
  }
}

/** A compiled user pattern. */
export class LinearRegex {
  readonly groupCount: number;
  readonly #prog: Inst[];
  readonly #looks: Look[] = [];
  readonly #unicode: boolean;
  readonly #multiline: boolean;
  readonly #sticky: boolean;

  constructor(pattern: string, flags: string) {
    this.#unicode = flags.includes('u') || flags.includes('v');
    this.#multiline = flags.includes('m');
    this.#sticky = flags.includes('y');
    const atomFlags = [...flags].filter((f) => 'isuv'.includes(f)).join('');
    const parser = new Parser(pattern, this.#unicode, flags.includes('v'));
    const tree = parser.parseAlt();
    if (parser.i < pattern.length) parser.fail('an unmatched ")"');
    this.groupCount = parser.groups;
    const charTest = (src: string) => {
      const re = new RegExp(`^(?:${src})$`, atomFlags);
      const seen = new Map<number, boolean>();
      return (cp: number) => {
        let hit = seen.get(cp);
        if (hit === undefined) {
          hit = re.test(this.#unicode ? String.fromCodePoint(cp) : String.fromCharCode(cp));
          if (seen.size < 4096) seen.set(cp, hit);
        }
        return hit;
      };
    };
    const c = new Compiler(charTest, this.#looks, true);
    c.emit({ op: 'save', slot: 0 });
    c.node(tree);
    c.emit({ op: 'save', slot: 1 });
    c.emit({ op: 'match' });
    this.#prog = c.prog;
  }

  #holds(inst: Inst & { op: 'assert' | 'look' }, t: Text, p: number): boolean {
    const { cps } = t;
    if (inst.op === 'look') return (this.#lookSet(inst.id, t)[p] === 1) !== inst.negate;
    switch (inst.kind) {
      case 'start':
        return p === 0 || (this.#multiline && isLineTerminator(cps[p - 1]!));
      case 'end':
        return p === cps.length || (this.#multiline && isLineTerminator(cps[p]!));
      case 'word':
      case 'nonword': {
        const a = p > 0 && isWordChar(cps[p - 1]!);
        const b = p < cps.length && isWordChar(cps[p]!);
        return (a !== b) === (inst.kind === 'word');
      }
    }
  }

  /**
   * The positions where a lookaround holds: for a lookbehind, where some match of its body ends (one forward pass
   * starting a thread at every position); for a lookahead, where one starts (its reversed body, one backward pass).
   */
  #lookSet(id: number, t: Text): Uint8Array {
    const cached = t.lookSets.get(id);
    if (cached) return cached;
    const { ahead, prog } = this.#looks[id]!;
    const n = t.cps.length;
    const set = new Uint8Array(n + 1);
    const mark = new Int32Array(prog.length).fill(-1);
    let list: number[] = [];
    const add = (into: number[], pc0: number, p: number) => {
      const stack = [pc0];
      while (stack.length) {
        const pc = stack.pop()!;
        if (mark[pc] === p) continue;
        mark[pc] = p;
        const inst = prog[pc]!;
        if (inst.op === 'jmp') stack.push(inst.to);
        else if (inst.op === 'split') stack.push(inst.y, inst.x);
        else if (inst.op === 'save') stack.push(pc + 1);
        else if (inst.op === 'assert' || inst.op === 'look') {
          if (this.#holds(inst, t, p)) stack.push(pc + 1);
        } else into.push(pc);
      }
    };
    for (let k = 0; k <= n; k++) {
      const p = ahead ? n - k : k;
      add(list, 0, p);
      t.tick(list.length + 1);
      const next: number[] = [];
      const q = ahead ? p - 1 : p + 1;
      for (const pc of list) {
        const inst = prog[pc]!;
        if (inst.op === 'match') set[p] = 1;
        else if (inst.op === 'char' && q >= 0 && q <= n && inst.test(t.cps[ahead ? q : p]!)) add(next, pc + 1, q);
      }
      list = next;
    }
    return set;
  }

  /** The leftmost-first match starting at or after character `from` (at `from` only when sticky). */
  #exec(t: Text, from: number, sticky: boolean): { start: number; caps: number[] } | null {
    const prog = this.#prog;
    const n = t.cps.length;
    const mark = new Int32Array(prog.length).fill(-1);
    type Thread = { pc: number; caps: number[] };
    const add = (into: Thread[], pc0: number, p: number, caps0: number[]) => {
      const stack: Thread[] = [{ pc: pc0, caps: caps0 }];
      while (stack.length) {
        const { pc, caps } = stack.pop()!;
        if (mark[pc] === p) continue;
        mark[pc] = p;
        const inst = prog[pc]!;
        if (inst.op === 'jmp') stack.push({ pc: inst.to, caps });
        else if (inst.op === 'split') stack.push({ pc: inst.y, caps }, { pc: inst.x, caps });
        else if (inst.op === 'save') {
          const copy = caps.slice();
          copy[inst.slot] = p;
          stack.push({ pc: pc + 1, caps: copy });
        } else if (inst.op === 'assert' || inst.op === 'look') {
          if (this.#holds(inst, t, p)) stack.push({ pc: pc + 1, caps });
        } else into.push({ pc, caps });
      }
    };
    const empty = new Array<number>(2 * (this.groupCount + 1)).fill(-1);
    let list: Thread[] = [];
    let found: number[] | null = null;
    for (let p = from; p <= n; p++) {
      if (found === null && (p === from || !sticky)) add(list, 0, p, empty);
      if (list.length === 0) {
        if (found !== null || sticky) break;
        continue;
      }
      t.tick(list.length);
      const next: Thread[] = [];
      for (const th of list) {
        const inst = prog[th.pc]!;
        if (inst.op === 'match') {
          found = th.caps;
          break;
        }
        if (inst.op === 'char' && p < n && inst.test(t.cps[p]!)) add(next, th.pc + 1, p + 1, th.caps);
      }
      list = next;
    }
    return found && { start: found[0]!, caps: found };
  }

  /**
   * Every match, left to right, as RegExp's global exec loop finds them (an empty match steps one character on; with
   * flag y each match must start where the last ended).
   */
  matchAll(text: string): LinearMatch[] {
    const sticky = this.#sticky;
    const t = new Text(text, this.#unicode);
    const out: LinearMatch[] = [];
    for (let p = 0; p <= t.cps.length;) {
      const m = this.#exec(t, p, sticky);
      if (!m) break;
      const groups: (string | undefined)[] = [];
      for (let g = 0; g <= this.groupCount; g++) {
        const [a, b] = [m.caps[2 * g]!, m.caps[2 * g + 1]!];
        groups.push(a >= 0 && b >= 0 ? text.slice(t.offs[a], t.offs[b]) : undefined);
      }
      out.push({ index: t.offs[m.start]!, groups });
      const end = m.caps[1]!;
      p = end === m.start ? end + 1 : end;
    }
    return out;
  }
}
