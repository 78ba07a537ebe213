import { describe, expect, it } from 'vitest';
import { asString } from '../parser/ast.js';
import { defaultSources } from '../fields/sources.js';
import { RulesLoadError } from './diagnostics.js';
import { loadRules } from './load.js';

const sources = defaultSources({ hostname: 'h' });

function load(...contents: string[]) {
  return loadRules(
    contents.map((content, i) => ({ name: `file${i + 1}.yaml`, content })),
    sources,
  );
}

function loadError(...contents: string[]): RulesLoadError {
  try {
    load(...contents);
  } catch (error) {
    if (error instanceof RulesLoadError) return error;
    throw error;
  }
  throw new Error('expected a RulesLoadError');
}

const rule = (name: string, condition: string, extra = '') =>
  `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o %ka.verb\n  priority: WARNING\n  source: k8s_audit\n${extra}`;

const condition = (loaded: ReturnType<typeof load>, name: string) =>
  asString(
    loaded.rules.find((r) => r.name === name)?.condition ?? {
      kind: 'identifier',
      name: '?',
      pos: { idx: 0, line: 1, col: 1 },
    },
  );

describe('loading rules files', () => {
  it('expands lists textually and macros on the syntax tree', () => {
    const loaded = load(
      `- list: verbs\n  items: [create, "do things", update]\n- list: none\n  items: []\n- macro: writes\n  condition: ka.verb in (verbs, none)\n${rule('R', 'writes and ka.target.resource in (none, pods)')}`,
    );
    expect(condition(loaded, 'R')).toBe(
      '(ka.verb in (create, "do things", update) and ka.target.resource in (pods))',
    );
  });

  it('appends with override and with the deprecated append: true, and replaces', () => {
    const loaded = load(
      `${rule('R', 'ka.verb=create')}- macro: m\n  condition: ka.verb=get\n- list: l\n  items: [a]\n${rule('Uses', 'm and ka.user.name in (l)')}`,
      [
        '- rule: R',
        '  condition: and ka.user.name=alice',
        '  override: {condition: append}',
        '- rule: R',
        '  priority: ERROR',
        '  enabled: false',
        '  override: {priority: replace, enabled: replace}',
        '- macro: m',
        '  condition: or ka.verb=list',
        '  append: true',
        '- list: l',
        '  items: [b]',
        '  override: {items: append}',
      ].join('\n'),
    );
    const r = loaded.rules.find((x) => x.name === 'R');
    expect(condition(loaded, 'R')).toBe('(ka.verb = create and ka.user.name = alice)');
    expect(r?.priority).toBe('Error');
    expect(r?.enabled).toBe(false);
    expect(condition(loaded, 'Uses')).toBe('((ka.verb = get or ka.verb = list) and ka.user.name in (a, b))');
    expect(loaded.warnings.some((w) => w.code === 'deprecated-item' && w.location.line === 10)).toBe(true);
  });

  it('keeps a redefined rule at its first position, which decides first-match order', () => {
    const loaded = load(`${rule('A', 'ka.verb=get')}${rule('B', 'ka.verb=get')}${rule('A', 'ka.verb=list')}`);
    expect(loaded.rules.map((r) => r.name)).toEqual(['A', 'B']);
    expect(condition(loaded, 'A')).toBe('ka.verb = list');
  });

  it('builds exception clauses as Falco does', () => {
    const loaded = load(
      rule(
        'R',
        'ka.verb=create',
        [
          '  exceptions:',
          '    - name: users',
          '      fields: [ka.user.name, ka.target.namespace]',
          '      comps: [=, in]',
          '      values:',
          '        - [alice, [default, "kube system"]]',
          '        - [bob, dev]',
          '    - name: images',
          '      fields: ka.req.pod.containers.image',
          '      comps: intersects',
          '      values: [nginx, "my image"]',
          '',
        ].join('\n'),
      ),
    );
    expect(condition(loaded, 'R')).toBe(
      '(ka.verb = create and not ((ka.user.name = alice and ka.target.namespace in (default, "kube system")) or (ka.user.name = bob and ka.target.namespace in (dev))) and not ka.req.pod.containers.image intersects (nginx, "my image"))',
    );
    expect(loaded.rules[0]?.exceptionFields).toEqual([
      'ka.req.pod.containers.image',
      'ka.target.namespace',
      'ka.user.name',
    ]);
  });

  it('adds exception values through override, and checks exception shapes', () => {
    const base = rule(
      'R',
      'ka.verb=create',
      '  exceptions:\n    - name: users\n      fields: [ka.user.name]\n      values: [[alice]]\n',
    );
    const loaded = load(
      base,
      '- rule: R\n  exceptions:\n    - name: users\n      values: [[bob]]\n  override: {exceptions: append}\n',
    );
    expect(condition(loaded, 'R')).toBe(
      '(ka.verb = create and not (ka.user.name = alice or ka.user.name = bob))',
    );
    expect(
      loadError(
        rule(
          'R',
          'ka.verb=create',
          '  exceptions:\n    - name: x\n      fields: [ka.user.name, ka.verb]\n      comps: [=]\n',
        ),
      ).message,
    ).toMatch('Fields and comps lists must have equal length');
    expect(
      loadError(rule('R', 'ka.verb=create', '  exceptions:\n    - name: x\n      fields: [ka.usr.name]\n'))
        .message,
    ).toMatch("'ka.usr.name' is not a supported filter field");
  });

  it('names file, line and column in errors', () => {
    const syntax = loadError(
      `${rule('Good', 'ka.verb=get')}- rule: Bad\n  desc: d\n  condition: ka.verb=get and ka.user.name=\n  output: o\n  priority: INFO\n  source: k8s_audit\n`,
    );
    expect(syntax.message).toMatch(/^file1\.yaml:9:43: rule 'Bad': expected a string value/);
    expect(syntax.exitCode).toBe(3);

    const folded = loadError(
      `- rule: Bad\n  desc: d\n  condition: >\n    ka.verb=get\n    and ka.user.nme=x\n  output: o\n  priority: INFO\n  source: k8s_audit\n`,
    );
    expect(folded.message).toMatch(/^file1\.yaml:5:9: rule 'Bad': nonexistent field ka.user.nme/);

    const inMacro = loadError('- macro: m\n  condition: ka.verb=get and undefined_thing\n', rule('R', 'm'));
    expect(inMacro.message).toMatch(
      /^file1\.yaml:2:30: macro 'm': Undefined macro 'undefined_thing' used in filter\./,
    );

    // A rule may only use macros of its own or earlier files: Falco compiles after each file.
    const forward = loadError(rule('R', 'later'), '- macro: later\n  condition: ka.verb=get\n');
    expect(forward.message).toMatch(/^file1\.yaml:3:14: rule 'R': Undefined macro 'later'/);

    expect(
      loadError(`- rule: R\n  desc: d\n  condition: ka.verb=get\n  output: o\n  priority: LOUD\n`).message,
    ).toMatch(/file1\.yaml:5:13: rule 'R': Invalid priority/);
    expect(loadError('- rule: R\n  desc: d\n  output: o\n  priority: INFO\n').message).toMatch(
      /Item has no mapping for key 'condition'/,
    );
    expect(loadError('- rule: R\n  condition: and x\n  override: {condition: append}\n').message).toMatch(
      /no rule by that name already exists/,
    );
    expect(
      loadError(
        `${rule('R', 'ka.verb=get')}- rule: R\n  condition: x\n  append: true\n  override: {condition: append}\n`,
      ).message,
    ).toMatch(/cannot be used together/);
    expect(
      loadError(
        `${rule('R', 'ka.verb=get')}- rule: R\n  condition: and x\n  output: o\n  override: {condition: append}\n`,
      ).message,
    ).toMatch(/Unexpected key 'output': no corresponding entry under 'override'/);
    const output = loadError(
      '- rule: R\n  desc: d\n  condition: ka.verb=get\n  output: "user=%ka.user.name x=%ka.nope"\n  priority: INFO\n  source: k8s_audit\n',
    );
    expect(output.message).toMatch(/^file1\.yaml:4:34: rule 'R': unknown filter: nonexistent field ka.nope/);
    expect(output.errorClass).toBe('compile-output');
    expect(loadError('- required_engine_version: 0.99.0\n').message).toMatch(
      /Rules require engine version 0.99.0, but engine version is 0.63.0/,
    );
    expect(loadError('rule: R\n').message).toMatch(/Rules content is not yaml array of objects/);
    expect(loadError('- rule: [unclosed\n').errorClass).toBe('yaml-parse');
  });

  it('warns about unknown keys, unused items, unknown sources and unmet plugin requirements', () => {
    const loaded = load(
      `- list: unused\n  items: [a]\n- macro: unused_macro\n  condition: ka.verb=get\n${rule('R', 'ka.verb=get', '  colour: blue\n')}- rule: Other\n  desc: d\n  condition: x.y=1\n  output: o\n  priority: INFO\n  source: okta\n- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n`,
    );
    const codes = loaded.warnings.map((w) => w.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'unused-list',
        'unused-macro',
        'unknown-key',
        'unknown-source',
        'plugin-requirement',
      ]),
    );
    expect(loaded.rules.map((r) => r.name)).toEqual(['R']);
    expect(
      loadError('- required_plugin_versions:\n  - name: k8saudit\n    version: 0.19.0\n').message,
    ).toMatch(/not compatible with required plugin version '0.19.0'/);
  });

  it('skips rules with unknown fields when skip-if-unknown-filter is set', () => {
    const loaded = load(rule('R', 'ka.future.field=1', '  skip-if-unknown-filter: true\n'));
    expect(loaded.rules).toHaveLength(0);
    expect(loaded.warnings.map((w) => w.code)).toContain('unknown-filter');
  });

  it('loads the official rules files', async () => {
    const { readFile } = await import('node:fs/promises');
    const { falcoFixture } = await import('../testing/fixtures.js');
    const files = await Promise.all(
      ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'k8s_audit_rules.yaml'].map(async (f) => ({
        name: f,
        content: await readFile(falcoFixture('rules', f), 'utf8'),
      })),
    );
    const k8s = loadRules([files[2] as (typeof files)[number]], sources);
    expect(k8s.rules).toHaveLength(48);
    expect(k8s.warnings.filter((w) => w.code !== 'unused-macro' && w.code !== 'unused-list')).toEqual([]);
    const syscall = loadRules(files.slice(0, 2), sources);
    expect(syscall.rules.length).toBe(25 + 31);
  });
});
