/**
 * The writer's rules in isolation (the e2e test compares whole files with the real sops).
 * Expected texts are sops 3.13.2's output for the same values.
 */
import { describe, expect, it } from 'vitest';
import { Comment, TreeBranch } from '../../tree.js';
import { YamlStore } from '../yaml.js';
import { settleStyle } from './scalar-style.js';

const write = (yaml: string, indent?: number): string => {
  const store = new YamlStore(indent === undefined ? {} : { indent });
  return store.emitPlain(store.loadPlain(Buffer.from(yaml))).toString('utf8');
};

describe('YAML writer', () => {
  it('quotes only what would read back as something else', () => {
    expect(settleStyle('plain words', 'plain')).toBe('plain');
    expect(settleStyle('a: b', 'plain')).toBe('single');
    expect(settleStyle(' lead', 'plain')).toBe('single');
    expect(settleStyle('tab\there', 'plain')).toBe('double');
    expect(settleStyle('emoji 😀', 'plain')).toBe('double');
    expect(settleStyle('trailing \nspace', 'literal')).toBe('double');
    expect(settleStyle('', 'plain', true)).toBe('single');
    expect(write('a: "yes"\nb: "1.5"\nc: "a #b"\nd: "<<"\ne: "😀"\n')).toBe(
      'a: "yes"\nb: "1.5"\nc: \'a #b\'\nd: !!merge <<\ne: "\\U0001F600"\n',
    );
  });

  it('indents collections and blocks as go-yaml v3 does', () => {
    const input = 'a:\n  - x: 1\n    y:\n      z: 2\n  - - n\n  - |\n    t\nb: {}\n';
    expect(write(input)).toBe(
      'a:\n    - x: 1\n      "y":\n        z: 2\n    - - "n"\n    - |\n      t\nb: {}\n',
    );
    expect(write(input, 2)).toBe('a:\n  - x: 1\n    "y":\n      z: 2\n  - - "n"\n  - |\n    t\nb: {}\n');
  });

  it('writes long keys as ? key and never folds long values', () => {
    const long = 'k'.repeat(129);
    const words = 'word '.repeat(30).trim();
    expect(write(`${long}: v\nw: ${words}\n`)).toBe(`? ${long}\n: v\nw: ${words}\n`);
  });

  it('puts comments where sops does, and a comment of an empty [] before what follows', () => {
    const tree = new TreeBranch([
      { key: new Comment(' head'), value: null },
      { key: 'a', value: [] },
      {
        key: 'b',
        value: new TreeBranch([
          { key: 'c', value: 1n },
          { key: new Comment(' end of b'), value: null },
        ]),
      },
    ]);
    (tree.items[1]?.value as unknown[]).push(new Comment(' in []'));
    expect(new YamlStore().emitPlain([tree]).toString('utf8')).toBe(
      '# head\na: []\n# in []\nb:\n    c: 1\n    # end of b\n',
    );
  });
});
