import { describe, expect, it } from 'vitest';
import { readFalcoFixtureJson } from '../testing/fixtures.js';
import { auditEvent, evaluate, flatEvent, flatSource, mockSource } from '../testing/conditions.js';
import { parseCondition } from '../parser/parser.js';
import { compileCondition } from './compile.js';
import { CompileError } from './operands.js';

const fixture = readFalcoFixtureJson('parser-cases.json') as {
  compiler: { run: { expected: boolean; input: string }[] };
};

const compileFor = (condition: string, source = flatSource) =>
  compileCondition(parseCondition(condition), { source });

describe('compiled conditions', () => {
  it(`evaluate libsinsp's ${fixture.compiler.run.length} boolean and quoting cases as Falco does`, () => {
    const event = { source: 'mock', data: {}, ts: 0n, num: 1 };
    for (const c of fixture.compiler.run)
      expect(evaluate(c.input, event, mockSource), c.input).toBe(c.expected);
  });

  // A getcwd event as in libsinsp's event evaluation tests, as flat JSON.
  const getcwd = flatEvent({ 'evt.type': 'getcwd', 'proc.name': 'init', 'evt.arg[1]': '/test/dir' });

  it('evaluate string operators, transformers, val() and modifiers like libsinsp', () => {
    const cases: [string, boolean][] = [
      ['evt.type = openat or evt.type = getcwd', true],
      ['evt.arg[1] startswith /etc or evt.arg[1] = /test/dir', true],
      ['toupper(evt.source) = SYSCALL', true],
      ['tolower(toupper(evt.type)) = getcwd', true],
      ['evt.source = val(evt.source)', true],
      ["evt.source regex '^[s]{1}ysca[l]{2}$'", true],
      ["evt.source regex 'yscal.*'", false],
      ["evt.source regex '.*yscal'", false],
      ["evt.source regex 'syscal.*'", true],
      ["toupper(evt.source) regex '^[A-Z]+$'", true],
      ['evt.type == oneof (getcwd, openat)', true],
      ['evt.type == oneof ()', false],
      ['evt.type == anyof (openat, execve)', false],
      ['evt.type == allof (getcwd)', true],
      ['evt.type == allof (getcwd, openat)', false],
      ['evt.type != allof (openat, execve)', true],
      ['evt.type startswith oneof (get, ge)', false],
      ['evt.type startswith anyof (get, ge)', true],
      ['toupper(evt.source) == oneof (SYSCALL, NA)', true],
      ['proc.name icontains INI', true],
      ['proc.name glob i?i*', true],
      ['proc.name iglob I*T', true],
      ['proc.name glob [!a-h]nit', true],
      ['proc.name bcontains 6e6974', true],
      ['proc.name bstartswith 6e69', false],
      ['len(proc.name) = 4', true],
      ['len(proc.name) > 4', false],
    ];
    for (const [condition, expected] of cases)
      expect(evaluate(condition, getcwd, flatSource), condition).toBe(expected);
  });

  it('refuse what libsinsp refuses', () => {
    for (const condition of [
      'evt.plugininfo regex val(evt.source)',
      'proc.name = "\\x00"',
      'proc.name pmatch val(proc.name)',
      "proc.name regex '\\\\d+'",
      "proc.name regex '(?:a)'",
      'proc.name bcontains xyz',
    ]) {
      expect(() => compileFor(condition), condition).toThrow(CompileError);
    }
  });

  it('match paths by prefix components with pmatch, including glob components', () => {
    const event = flatEvent({ 'fd.name': '/opt/dir/subdir/file.txt' });
    const cases: [string, boolean][] = [
      ['(/opt/dir)', true],
      ['(/opt/dir/subdir)', true],
      ['(/opt/dir2)', false],
      ['(/opt/dir, /opt/dir2)', true],
      ['(/opt/*)', true],
      ['(/opt/*/subdir)', true],
      ['(/opt/di?/subdir)', true],
      ['(/opt/dii?/subdir)', false],
      ['(/opt/di[r]/subdir)', true],
      ['(/opt/di[!r]/subdir)', false],
      ['(/opt/di/subdir)', false],
      ['(/opt/*/subdir2)', false],
      ['(/opt/*/*)', true],
      ['(/opt/*/*/subsubdir)', false],
      ['(/)', true],
    ];
    for (const [list, expected] of cases)
      expect(evaluate(`fd.name pmatch ${list}`, event, flatSource), list).toBe(expected);
    expect(evaluate('fd.name pmatch (/opt/dir/subdir/file.txt/more)', event, flatSource)).toBe(false);
  });
});

describe('k8s audit checks', () => {
  const pod = auditEvent({
    auditID: 'a1',
    verb: 'create',
    objectRef: { resource: 'pods', namespace: 'default' },
    user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
    requestObject: {
      spec: {
        containers: [
          { name: 'a', image: 'nginx:1.25', securityContext: { privileged: true } },
          { name: 'b', image: 'registry.example/app@sha256:abc' },
        ],
      },
    },
  });

  it('treat a missing field as false for every operator, including !=', () => {
    expect(evaluate('ka.target.subresource != exec', pod)).toBe(false);
    expect(evaluate('not ka.target.subresource = exec', pod)).toBe(true);
    expect(evaluate('ka.target.subresource exists', pod)).toBe(false);
    expect(evaluate('ka.target.resource exists', pod)).toBe(true);
  });

  it('apply in (all values) and intersects (any value) to list fields', () => {
    expect(evaluate('ka.user.groups intersects (dev)', pod)).toBe(true);
    expect(evaluate('ka.user.groups in (dev)', pod)).toBe(false);
    expect(evaluate('ka.user.groups in (dev, system:authenticated, other)', pod)).toBe(true);
    expect(evaluate('ka.req.pod.containers.privileged intersects (true)', pod)).toBe(true);
    expect(evaluate('ka.req.pod.containers.image.repository in (nginx, registry.example/app)', pod)).toBe(
      true,
    );
    expect(evaluate('len(ka.req.pod.containers.image) = 2', pod)).toBe(true);
    expect(evaluate('tolower(ka.user.groups) intersects (dev)', pod)).toBe(true);
  });

  it('refuse scalar operators on list fields, as Falco does', () => {
    expect(() => evaluate('ka.user.groups = dev', pod)).toThrow("'=' operator not supported list filters");
    expect(() => evaluate('ka.req.pod.containers.image[0] contains nginx', pod)).toThrow(CompileError);
  });

  it('check field names and arguments', () => {
    expect(() => evaluate('ka.user.nme = alice', pod)).toThrow(
      /nonexistent field ka.user.nme .*did you mean ka.user.name/,
    );
    expect(() => evaluate('ka.uri.param = x', pod)).toThrow(/requires an argument/);
    expect(() => evaluate('ka.verb[0] = create', pod)).toThrow(/does not allow nor require an argument/);
    expect(() => evaluate('ka.req.pod.containers.image[01] in (nginx)', pod)).toThrow(/starting with 0/);
  });

  it('compare strings with <, >= as strcmp does, and refuse numbers where fields are numeric', () => {
    const ok = auditEvent({ auditID: 'x', responseStatus: { code: 403 } });
    expect(evaluate('ka.response.code >= 400', ok)).toBe(true);
    expect(evaluate('ka.response.code < 5', ok)).toBe(true); // "403" < "5" as text
    expect(() => evaluate('evt.num > abc', ok)).toThrow();
    expect(evaluate('evt.num = 1', ok)).toBe(true);
  });
});
