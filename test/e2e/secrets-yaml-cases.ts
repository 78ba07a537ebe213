/**
 * YAML inputs for comparing Chartroom's YAML writer with sops's: hand-picked cases for each
 * rule the writer follows, and a seeded generator of random documents mixing them (nested
 * mappings and sequences in both indentation styles, comments in every position, block
 * scalars, and strings that need quoting, escaping, or a `? ` key).
 */

export const WRITER_CASES: Record<string, string> = {
  'long values are never folded': `a: ${'word '.repeat(40)}end\nb: "${'x '.repeat(60)}y"\nc: '${"it''s ".repeat(30)}'\n`,
  'keys over 128 bytes and multi-line keys': `${'k'.repeat(128)}: fits\n${'k'.repeat(129)}: over\n"${'é'.repeat(65)}": bytes not chars\n? |\n    multi\n    line\n: value\n? ${'m'.repeat(130)}\n: \n    nested: map\n`,
  'strings that need quotes':
    'a: "yes"\nb: "No"\nc: "off"\nd: "y"\ne: "1:20:30"\nf: "0o17"\ng: "1_000"\nh: "+.inf"\ni: ".5"\nj: "2001-12-14"\nk: "~"\nl: "<<"\nm: "a: b"\nn: "a #b"\no: "a#b"\np: "- x"\nq: "-x"\nr: "? x"\ns: "?x"\nt: ":x"\nu: "x:"\nv: "---x"\nw: "...x"\nx: "--x"\ny: "=x"\nz: "x,y [z] {w}"\n',
  'quotes and escapes':
    'a: "it\'s"\nb: "say \\"hi\\""\nc: "back\\\\slash"\nd: "tab\\tin"\ne: " both "\nf: "\\u00e9\\u4e2d\\U0001F600"\ng: "\\x7f\\x9f\\u00a0"\nh: "\\ufeffbom"\ni: "\\ue000\\ufffe\\uffff"\nj: "a\\u2028b\\u2029c"\nk: "\\u0085next"\nl: "\\r\\n"\n',
  'multi-line strings':
    'a: "one\\ntwo"\nb: "one\\ntwo\\n"\nc: "one\\n\\n"\nd: "\\n"\ne: " lead\\nx"\nf: "\\nlead break"\ng: "trail \\nspace"\nh: "tab\\tline\\nnext"\ni: "x\\n y"\nj: "ends with space\\nx "\nk: "ctrl\\x01\\nx"\nl: "u\\u2028v\\nw"\n',
  'unicode keys and values': 'ключ: значение\n日本: 東京\n"😀": emoji key\nnbsp: "a\\u00a0b"\n',
  'binary values':
    'short: !!binary aGVsbG8=\nlong: !!binary |\n    ' + Buffer.alloc(120, 7).toString('base64') + '\n',
  'numbers, booleans, nulls and times':
    'a: 0\nb: -17\nc: 1.5\nd: 1e21\ne: 2.5e-8\nf: .inf\ng: -.inf\nh: .nan\ni: true\nj: false\nk: null\nl:\nm: 2001-12-14T21:59:43.1-05:00\nn: 2002-12-14\no: 100000000000000000000.5\n',
  'sequences in every position':
    'a:\n    - 1\n    - - 2\n      - - 3\n    - k: v\n      l:\n          - m\n    - []\n    - {}\n    - |\n      block\n    - !!binary aGk=\nb: []\nc: {}\n',
  'comments everywhere':
    'empty:\n    - [] # in a list\n    - {} # kept too\nflow: [a] # into the list\nfm: {a: 1} # into the map\nem: {} # inside braces\nes: [] # carried to the next key\nnext: 1\n# file head\n\n# head of a\na: 1 # line of a\nb:\n    # head of b.c\n    c: x # line of c\n    d:\n        - e # line of e\n        # head of f\n        - f\n        # foot of list\n    # foot of b\n# head of g\ng: |- # on a block\n    text\nh: [] # on empty\n# foot of file\n',
  'multi-document': 'a: 1\n---\n# second\nb:\n    - x\n---\nc: {}\n',
};

/** A small deterministic generator (LCG), so a failure names a seed that reproduces it. */
class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) & 0x7fffffff;
    return this.state / 0x7fffffff;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * Written in YAML double quotes (JSON's escapes are a subset of YAML's). No U+2028 here: it is a
 * line break in YAML 1.1 (go-yaml) but not in 1.2, and Chartroom's reader reads sops's folded
 * single-quoted form of it differently (a reader gap; the hand-picked cases test the writing).
 */
const STRINGS: readonly string[] = [
  'plain',
  'two words',
  'yes',
  'on',
  'n',
  '1:20',
  '0x1F',
  '"dq"',
  "'sq'",
  'a: b',
  'a #b',
  'a#b',
  '#x',
  '- x',
  '-x',
  '? q',
  ':c',
  'c:',
  'tab\there',
  'é ü',
  '😀',
  ' lead',
  'trail ',
  '',
  '~',
  'null',
  'true',
  '1.5',
  '2024-01-01',
  '@at',
  '`t',
  '%p',
  '!b',
  '&a',
  '*s',
  '|p',
  '>g',
  '[x]',
  '{y}',
  ',c',
  '---x',

  'bell\u0007',
  '\ufeffbom',
  'nbsp\u00a0x',
  'cr\rx',
  'multi\nline',
  'multi\nline\n',
  ' lead\nbreak',
  'keep\n\n',
  `long ${'word '.repeat(25)}end`,
  'x'.repeat(130),
];

function scalar(r: Random): string {
  const p = r.next();
  if (p < 0.5) return JSON.stringify(r.pick(STRINGS));
  if (p < 0.6) return String(Math.floor(r.next() * 100000) - 50000);
  if (p < 0.65) return r.pick(['true', 'false', '1.25', '-0.5', '1e10', '~', '']);
  if (p < 0.7) return '!!binary aGVsbG8gd29ybGQ=';
  return r.pick(['v', 'hello world', 'abc', "'single'"]);
}

const pad = (n: number): string => ' '.repeat(n);
const comment = (r: Random, indent: number): string[] =>
  r.chance(0.2) ? [`${pad(indent)}# c${Math.floor(r.next() * 1000)}`] : [];
const inline = (r: Random): string => (r.chance(0.15) ? ` # i${Math.floor(r.next() * 100)}` : '');

/** Keys stay on one line: go-yaml rejects a quoted key with a YAML 1.1 line break (U+2028) in it. */
const KEY_STRINGS = STRINGS.filter((s) => !/[\n\r\u0085\u2028\u2029]/.test(s));

function key(r: Random, i: number): string {
  if (r.chance(0.1)) return JSON.stringify(r.pick(KEY_STRINGS));
  return r.pick(['k', 'name', 'y', 'true', 'n', 'a b', 'ü']) + String(i);
}

function mapping(r: Random, indent: number, depth: number, quiet = false): string[] {
  const out: string[] = [];
  const note = (): string[] => (quiet ? [] : comment(r, indent));
  const tail = (): string => (quiet ? '' : inline(r));
  const n = 1 + Math.floor(r.next() * 4);
  for (let i = 0; i < n; i++) {
    out.push(...note());
    const k = `${pad(indent)}${key(r, i)}:`;
    const p = r.next();
    if (depth > 0 && p < 0.25) out.push(k + tail(), ...mapping(r, indent + r.pick([2, 4]), depth - 1, quiet));
    else if (depth > 0 && p < 0.45) out.push(k, ...sequence(r, indent + r.pick([0, 2, 4]), depth - 1, quiet));
    else if (p < 0.5) out.push(`${k} ${r.pick(['{}', '[]'])}`);
    else if (p < 0.6)
      out.push(`${k} |${r.pick(['', '-', '+'])}${tail()}`, `${pad(indent + 4)}one`, `${pad(indent + 6)}two`);
    else out.push(`${k} ${scalar(r)}${tail()}`);
  }
  out.push(...note());
  return out;
}

/** A nested collection's first line joins its `- ` (without a comment there, which sops rejects). */
function joinItem(indent: number, lines: string[]): string[] {
  const body = lines.slice(lines.findIndex((l) => !l.trimStart().startsWith('#')));
  return [`${pad(indent)}- ${body[0]?.trimStart() ?? ''}`, ...body.slice(1)];
}

/**
 * `quiet`: no comments, down to the leaves. Comments inside a sequence nested on its parent's
 * `- ` line, and after `{}`/`[]`, are left out: Chartroom's reader places some of them
 * differently from sops (a known gap of the reader, not of the writer tested here; the
 * hand-picked cases cover these comments on the writing side).
 */
function sequence(r: Random, indent: number, depth: number, quiet = false): string[] {
  const out: string[] = [];
  const n = 1 + Math.floor(r.next() * 3);
  const note = (): string[] => (quiet ? [] : comment(r, indent));
  for (let i = 0; i < n; i++) {
    const p = r.next();
    if (!(depth > 0 && p >= 0.3 && p < 0.4)) out.push(...note());
    if (depth > 0 && p < 0.3) out.push(...joinItem(indent, mapping(r, indent + 2, depth - 1, quiet)));
    else if (depth > 0 && p < 0.4) out.push(...joinItem(indent, sequence(r, indent + 2, depth - 1, true)));
    else out.push(`${pad(indent)}- ${scalar(r)}${quiet ? '' : inline(r)}`);
  }
  out.push(...note());
  return out;
}

export function generatedYaml(seed: number): string {
  return mapping(new Random(seed), 0, 3).join('\n') + '\n';
}
