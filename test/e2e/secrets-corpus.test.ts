/**
 * Edge cases of every format, each run through both tools: sops's and Chartroom's encrypted
 * files must have the same layout (random parts masked), and decrypting either with either tool
 * must give sops's plaintext byte for byte. Quoting styles, block scalars, comments in every
 * position, numbers at the edges of int64/float64, unicode, escapes, dotenv and INI quirks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGE, chartroom, maskRandom, peer, runProc } from './secrets-support.js';

const YAML_CASES: Record<string, string> = {
  'scalars that need quotes':
    'a: "true"\nb: "1.5"\nc: "null"\nd: "yes"\ne: "on"\nf: "2024-01-01"\ng: "1:20"\nh: "0x1F"\ni: ""\nj: " lead"\nk: "trail "\nl: "- dash"\nm: "#hash"\nn: "a: b"\no: "a #b"\np: "@at"\nq: "%pct"\nr: "`tick"\ns: "[x]"\nt: "{y}"\nu: "*star"\nv: "&amp"\nw: "!bang"\nx: "|pipe"\ny: ">gt"\nz: "\'quote"\n',
  'numbers at the edges':
    'a: 9223372036854775807\nb: -9223372036854775808\nc: 0777\nd: 0o17\ne: 0x1F\nf: 0b101\ng: 1_000\nh: 1e21\ni: 1.0\nj: -0.0\nk: .inf\nl: -.inf\nm: .nan\nn: 1e-7\no: 123456789.123456789\np: 08\nq: +5\nr: 1.5e+300\n',
  'booleans, nulls and timestamps':
    'a: true\nb: False\nc: TRUE\nd: ~\ne: null\nf:\ng: 2001-12-14t21:59:43.10-05:00\nh: 2001-12-14 21:59:43.10\ni: 2002-12-14\nj: 2024-1-2\nk: 2024-02-30\n',
  'unicode and control characters':
    'a: "héllo wörld"\nb: "tab\\there"\nc: "bell\\a"\nd: "emoji 😀"\ne: "nbsp\\u00a0x"\nf: "line\\u2028sep"\ng: "zero\\0"\nh: "\\ufeffbom"\ni: "cr\\rx"\nj: "ctrl\\x01"\n',
  'block scalars':
    'a: |\n    one\n    two\nb: |-\n    no newline\nc: |+\n    keep\n\nd: >\n    folded\n    text\ne: |\n      indented first\n    after\nf: "trailing space \\nline"\ng: |\n    \n    leading blank\n',
  'comments in mappings':
    '# head of file\n\n# before a\na: 1 # after a\n# before b\nb:\n    # first in b\n    c: 2 # after c\n    # end of b\n# before m\nm: # on the key line\n    n: 3\n    o:\n        p: 4\n        # deep end\n    # mid end\n  # between levels\n# foot of file\n',
  'lists of maps and nested lists':
    'people:\n    - name: a\n      age: 1\n    - name: b\n      tags:\n          - x\n          - - nested\n            - list\nmatrix:\n    - [1, 2]\n    - []\nempty_map: {}\nflow: {a: 1, b: [x, y]}\n',
  'keys that need quoting':
    '"": empty key\n"a b": space\n"a:b": colon\n"#x": hash\n"y": old bool\n"1": digit\n"true": bool\n"- x": dash\nlong_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: v\n',
  'anchors, aliases and tags':
    'base: &b\n    x: 1\n    y: two\ncopy: *b\nstr: !!str 123\nint: !!int "42"\nfloat: !!float 3\nbin: !!binary aGVsbG8=\ncustom: !thing value\n',
  'folded and multi-line plain scalars':
    'a: >\n    folded\n    text\n\n    para\nb: plain\n    continued\nc: "double\n    quoted"\n',
  'partial encryption suffix':
    'app:\n    password: p\n    host_unencrypted: db\n    nested_unencrypted:\n        all: clear\nlist_unencrypted:\n    - a\n',
  'multi-document': 'a: 1\n---\nb: 2\n---\n# only a comment\nc: [3]\n',
  'indentation styles': 'a:\n  b:\n    - c\n    - d:\n        e: f\nlist:\n- x\n- y\n',
};

const JSON_CASES: Record<string, string> = {
  escapes:
    '{"a": "<>&\\u2028\\u2029", "b": "\\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t", "c": "\\u0001\\u001f", "d": "😀 \\ud83d\\ude00"}',
  numbers:
    '{"a": 0, "b": -0, "c": 1.0, "d": 1e21, "e": 1e-7, "f": 9223372036854775807, "g": 9223372036854775808, "h": 0.1, "i": 123456789012345678, "j": -1.5E+3}',
  structure:
    '{"empty": {}, "list": [], "nested": {"a": [1, {"b": [true, false, null]}]}, "dup": 1, "dup": 2}',
  'partial encryption': '{"x_unencrypted": "a", "y": {"z_unencrypted": [1, 2]}, "w": "b"}',
};

const DOTENV_CASES: Record<string, string> = {
  quirks:
    '# comment\nA=1\nB= spaced value \nC="quoted"\nD=a=b=c\nE=\nF=multi\\nline\n#another\nG=#not a comment\nexport H=x\n',
  'unencrypted suffix': 'TOKEN=abc\nURL_unencrypted=https://example.org\n',
};

const INI_CASES: Record<string, string> = {
  quirks:
    '; top comment\ntop = level\n\n[section]\n# hash comment\nkey = value ; inline\nquoted = "spaced  "\nsingle = \'single\'\ncolon: separated\nempty =\nbacktick = `raw ;value`\n\n[other section]\nx=1\nx=2\n',
  continuation: '[s]\nlong = first \\\n  second\nmulti = """line1\nline2"""\n',
};

describe('secrets: edge-case corpus, Chartroom vs sops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-corpus-'));
  const sops = peer('sops');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    SOPS_DISABLE_VERSION_CHECK: '1',
    SOPS_AGE_KEY: AGE.sopsAge.identity,
  };
  let n = 0;

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function compare(ext: string, name: string, content: string): Promise<void> {
    const base = join(dir, `c${++n}`);
    const plain = `${base}.${ext}`;
    writeFileSync(plain, content);
    const ours = `${base}.ours.${ext}`;
    const [enc, theirs] = await Promise.all([
      chartroom(['secrets', 'encrypt', '--age', AGE.sopsAge.recipient, '--output', ours, plain], env, dir),
      runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, plain], { env, cwd: dir }),
    ]);
    // Both refuse, or both accept.
    expect([name, enc.code === 0]).toEqual([name, theirs.code === 0]);
    if (theirs.code !== 0) return;
    const theirsFile = `${base}.theirs.${ext}`;
    writeFileSync(theirsFile, theirs.stdout);
    expect(maskRandom(readFileSync(ours, 'utf8')), name).toBe(maskRandom(theirs.stdout.toString('utf8')));
    const oursOfTheirs = `${base}.dec`;
    const [a, b, c] = await Promise.all([
      runProc(sops, ['decrypt', ours], { env, cwd: dir }),
      runProc(sops, ['decrypt', theirsFile], { env, cwd: dir }),
      chartroom(['secrets', 'decrypt', '--output', oursOfTheirs, theirsFile], env, dir),
    ]);
    expect([name, a.code, b.code, c.code]).toEqual([name, 0, 0, 0]);
    expect(a.stdout.toString('utf8'), name).toBe(b.stdout.toString('utf8'));
    expect(readFileSync(oursOfTheirs, 'utf8'), name).toBe(b.stdout.toString('utf8'));
  }

  it('yaml: comments in lists open in sops (sops cannot open its own such files)', async () => {
    const content = 'l:\n    # in list\n    - x # after x\n    - y\n    # end of list\nm: 1\n';
    const plain = join(dir, 'lists.yaml');
    writeFileSync(plain, content);
    const ours = join(dir, 'lists.ours.yaml');
    expect(
      (
        await chartroom(
          ['secrets', 'encrypt', '--age', AGE.sopsAge.recipient, '--output', ours, plain],
          env,
          dir,
        )
      ).code,
    ).toBe(0);
    const theirs = await runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, plain], { env, cwd: dir });
    writeFileSync(join(dir, 'lists.theirs.yaml'), theirs.stdout);
    expect(maskRandom(readFileSync(ours, 'utf8'))).toBe(maskRandom(theirs.stdout.toString('utf8')));
    const [a, b, c] = await Promise.all([
      runProc(sops, ['decrypt', ours], { env, cwd: dir }),
      runProc(sops, ['decrypt', join(dir, 'lists.theirs.yaml')], { env, cwd: dir }),
      chartroom(['secrets', 'decrypt', ours], env, dir),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code).toBe(51);
    expect(c.stdout).toBe(a.stdout.toString('utf8'));
  });

  for (const [name, content] of Object.entries(YAML_CASES)) {
    it(`yaml: ${name}`, () => compare('yaml', name, content));
  }
  for (const [name, content] of Object.entries(JSON_CASES)) {
    it(`json: ${name}`, () => compare('json', name, content));
  }
  for (const [name, content] of Object.entries(DOTENV_CASES)) {
    it(`dotenv: ${name}`, () => compare('env', name, content));
  }
  for (const [name, content] of Object.entries(INI_CASES)) {
    it(`ini: ${name}`, () => compare('ini', name, content));
  }
});

/**
 * Where comments land decides their AAD. With `unencrypted_comment_regex: .` both tools keep
 * comments in clear, so their outputs show each comment's branch and position: they must be
 * identical. The same files with encrypted comments must then open in Chartroom without any
 * "possibly unencrypted comment" warning (every AAD matched).
 */
const PLACEMENT: string[] = [
  'a:\n    b: 1\n    # end of b\n# before c\nc: 2\n',
  'a:\n    b: 1\n    # end of b\n\n# before c\nc: 2\n',
  'a:\n    b: 1\n  # col2\nc: 2\n',
  'a:\n    b:\n        x: 1\n        # deep end\n    # mid end\n# top\nc: 2\n',
  'a: 1\n# between\n\nb: 2\n',
  '# h1\n\n# h2\na: 1\n',
  'a: 1\n# trailing1\n\n# trailing2\n',
  'a:\n    # first in a\n\n    b: 1\n',
  'a: # key comment\n    b: 1\nc: # on a null\nd: |  # on a block\n    text\n',
  'l:\n- a\n# after indentless\nm: 1\n',
  'l:\n- a\n  # deeper after indentless\nm: 1\n',
  'people:\n    - name: a # inline\n      # inside item\n      age: 1\n    - name: b\n',
  'a:\n# dedented head\n    b: 1\n',
  'a:\n    b: 1\n        # deeper than b\nc: 2\n',
];

describe('secrets: comment placement matches sops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-comments-'));
  const sops = peer('sops');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    SOPS_DISABLE_VERSION_CHECK: '1',
    SOPS_AGE_KEY: AGE.sopsAge.identity,
  };
  const clear = join(dir, 'clear');
  const encrypted = join(dir, 'encrypted');

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  PLACEMENT.forEach((content, i) => {
    it(`case ${i}: ${JSON.stringify(content).slice(0, 60)}`, async () => {
      for (const [folder, rule] of [
        [clear, `    unencrypted_comment_regex: .\n`],
        [encrypted, ''],
      ] as const) {
        mkdirSync(folder, { recursive: true });
        writeFileSync(
          join(folder, '.sops.yaml'),
          `creation_rules:\n  - age: ${AGE.sopsAge.recipient}\n${rule}`,
        );
        writeFileSync(join(folder, `c${i}.yaml`), content);
      }
      const [ours, theirs] = await Promise.all([
        chartroom(['secrets', 'encrypt', `c${i}.yaml`], env, clear),
        runProc(sops, ['encrypt', `c${i}.yaml`], { env, cwd: clear }),
      ]);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(ours.code, ours.stderr).toBe(0);
      expect(maskRandom(ours.stdout)).toBe(maskRandom(theirs.stdout.toString('utf8')));
      const sopsFile = await runProc(sops, ['encrypt', `c${i}.yaml`], { env, cwd: encrypted });
      writeFileSync(join(encrypted, `c${i}.enc.yaml`), sopsFile.stdout);
      const dec = await chartroom(['secrets', 'decrypt', `c${i}.enc.yaml`], env, encrypted);
      expect(dec.stderr).not.toMatch(/possibly unencrypted comment/);
      const sopsDec = await runProc(sops, ['decrypt', `c${i}.enc.yaml`], { env, cwd: encrypted });
      if (sopsDec.code === 0) expect(dec.stdout).toBe(sopsDec.stdout.toString('utf8'));
    });
  });
});
