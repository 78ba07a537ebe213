/**
 * The fast block parser against the full (`yaml` library) parser: on every input the fast one
 * accepts, both give the same values, types and keys, and the same comments in the same order
 * (the fast parser's placement follows go-yaml more closely at dedents; see the corpus e2e test
 * for placement checked against sops itself). Inputs: the fixtures' plaintexts, hand-written
 * edge cases, and randomly generated documents.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Comment, TreeBranch, type TreeValue } from '../../tree.js';
import { GoTime } from '../../gotime.js';
import { FIXTURES } from '../../testing.js';
import { fastParseYaml, Unsupported } from './fast-parse.js';
import { parseWithLibrary } from './parse.js';

/** Values and structure with comments removed, plus the comment texts in document order. */
function shape(v: TreeValue, comments: string[]): unknown {
  if (v instanceof TreeBranch) {
    const out: [string, unknown][] = [];
    for (const it of v.items) {
      if (it.key instanceof Comment) comments.push(it.key.value);
      else out.push([it.key, shape(it.value, comments)]);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      if (x instanceof Comment) comments.push(x.value);
      else out.push(shape(x, comments));
    }
    return out;
  }
  if (v instanceof Comment) return `#${v.value}`;
  if (typeof v === 'bigint') return `int:${v}`;
  if (typeof v === 'number') return `float:${Number.isNaN(v) ? 'NaN' : v}`;
  if (v instanceof GoTime) return `time:${v.text}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  return v;
}

function compare(text: string): 'fast' | 'fallback' {
  let fast;
  try {
    fast = fastParseYaml(text);
  } catch (cause) {
    if (cause instanceof Unsupported) return 'fallback';
    // Errors the fast parser raises (non-string keys) must be errors for the full one too.
    expect(() => parseWithLibrary(text)).toThrow();
    return 'fast';
  }
  const full = parseWithLibrary(text);
  const c1: string[] = [];
  const c2: string[] = [];
  expect(fast.map((b) => shape(b, c1))).toEqual(full.map((b) => shape(b, c2)));
  expect(c1).toEqual(c2);
  return 'fast';
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const HAND_WRITTEN = [
  'a: 1\nb: two\n',
  'a:\n    b:\n        c: [1, "x", {d: e}]\n    f: {}\n    g: []\n',
  'list:\n    - a\n    - b: 1\n      c: 2\n    - |\n        literal\n        text\n',
  'indentless:\n- a\n- b\nnext: 1\n',
  "k: \"esc \\t \\u00e9 \\x41 \\\\ \\\"\"\nq: 'it''s'\n",
  'n: 0777\nm: 0x1f\nf: 1.5e3\nt: 2024-01-01\nb: true\nz: ~\ne:\n',
  'lit: |+\n    keep\n\nnext: x\nstrip: |-\n    s\nclip: |\n    c\n\n\n',
  'deep: |2\n    two extra\n  base\n',
  '# head\na: 1 # inline\n# before b\nb:\n    # first\n    c: 2\n    # end of b\n# before d\nd: 3\n# foot\n',
  'a: x\n---\nb: y\n',
  'key with spaces: value with spaces   \n"quoted key": v\n',
  'url: http://example.org/path#frag\nhash: a#b\n',
  'empty_lit: |\nnext: 1\n',
  'colons: a:b:c\nspaced: tail   # comment\ntight: x #y\nenc: ENC[AES256_GCM,data:aGk=,iv:aXY=,tag:dA==,type:str]\n',
];

function randomDoc(seed: number): string {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const scalars = [
    'plain',
    '"quoted"',
    "'single'",
    '42',
    '-7',
    '3.25',
    'true',
    'null',
    '2024-02-03',
    '""',
    'a b c',
    '0x10',
    '1e3',
    'x:y',
    'http://h/p',
  ];
  const lines: string[] = [];
  const block = (indent: number, depth: number): void => {
    const n = 1 + rand(4);
    for (let i = 0; i < n; i++) {
      const pad = ' '.repeat(indent);
      if (rand(5) === 0) lines.push(`${pad}# comment ${rand(100)}`);
      const key = `k${rand(1000)}_${i}`;
      const kind = depth > 2 ? 0 : rand(4);
      if (kind === 0)
        lines.push(`${pad}${key}: ${scalars[rand(scalars.length)]}${rand(4) === 0 ? ' # inline' : ''}`);
      else if (kind === 1) {
        lines.push(`${pad}${key}:`);
        block(indent + 4, depth + 1);
      } else if (kind === 2) {
        lines.push(`${pad}${key}:`);
        const m = 1 + rand(3);
        for (let j = 0; j < m; j++) lines.push(`${pad}    - ${scalars[rand(scalars.length)]}`);
      } else {
        lines.push(`${pad}${key}: |`);
        lines.push(`${pad}    line one`, `${pad}    line two`);
      }
    }
  };
  block(0, 0);
  return lines.join('\n') + '\n';
}

describe('the fast YAML parser agrees with the full parser', () => {
  it('on the plaintext and encrypted fixtures', () => {
    const files = yamlFilesUnder(FIXTURES);
    expect(files.length).toBeGreaterThan(15);
    const used = files.map((f) => compare(readFileSync(f, 'utf8')));
    // Everything sops wrote is within the fast subset.
    expect(used.filter((u) => u === 'fast').length).toBeGreaterThanOrEqual(files.length - 2);
  });

  it('on hand-written edge cases', () => {
    for (const text of HAND_WRITTEN) expect([text, compare(text)]).toEqual([text, 'fast']);
  });

  it('on 300 generated documents', () => {
    for (let seed = 1; seed <= 300; seed++) expect(compare(randomDoc(seed))).toBe('fast');
  });

  it('keeps no line break a block scalar does not have (as go-yaml; the yaml library adds one)', () => {
    const [doc] = fastParseYaml('no_final_newline: |\n    text');
    expect(doc?.get('no_final_newline')).toBe('text');
  });

  it('hands anything else to the full parser', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: >\n  folded\n',
      'a: plain\n  continued\n',
      '? complex\n: key\n',
      'a: !!str 1\n',
    ]) {
      expect(compare(text)).toBe('fallback');
    }
  });
});
