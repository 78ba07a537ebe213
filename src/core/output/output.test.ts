import { describe, expect, it } from 'vitest';
import { ChartroomError, UsageError } from '../errors.js';
import { MemoryStream } from '../../testing/memory-stream.js';
import { Output } from './output.js';
import { shouldUseColor } from './terminal.js';

function make(options: { json?: boolean; tty?: boolean; debug?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const stdout = new MemoryStream(options.tty ?? false);
  const stderr = new MemoryStream(options.tty ?? false);
  const out = new Output({
    mode: options.json === true ? 'json' : 'text',
    debug: options.debug ?? false,
    stdout,
    stderr,
    env: options.env ?? {},
  });
  return { out, stdout, stderr };
}

const rows = [
  { rule: 'Create Privileged Pod', count: 3 },
  { rule: 'Attach to cluster-admin Role', count: 12 },
];
const columns = [
  { header: 'Rule', value: (row: (typeof rows)[number]) => row.rule },
  { header: 'Count', value: (row: (typeof rows)[number]) => row.count, align: 'right' as const },
];

describe('Output.error', () => {
  it('prints error and hint lines on stderr in text mode, nothing on stdout', () => {
    const { out, stdout, stderr } = make();
    out.error(new UsageError('unknown command "nosuch"', 'Run `chartroom --help`.'));
    expect(stderr.text).toBe('error: unknown command "nosuch"\nhint: Run `chartroom --help`.\n');
    expect(stdout.text).toBe('');
  });

  it('adds the stack and causes only with --debug', () => {
    const error = new ChartroomError('outer', { code: 'x', cause: new Error('inner reason') });
    const plain = make();
    plain.out.error(error);
    expect(plain.stderr.text).not.toMatch(/at /);
    const debug = make({ debug: true });
    debug.out.error(error);
    expect(debug.stderr.text).toMatch(/ChartroomError: outer\n\s+at /);
    expect(debug.stderr.text).toMatch(/caused by: Error: inner reason/);
  });

  it('prints one JSON object with code, message, hint and exit code in JSON mode', () => {
    const { out, stderr } = make({ json: true });
    out.error(new UsageError('bad', 'do better'));
    expect(JSON.parse(stderr.text)).toEqual({
      error: { code: 'usage', message: 'bad', hint: 'do better', exitCode: 2 },
    });
  });

  it('colours the labels only on a TTY', () => {
    const tty = make({ tty: true, env: { TERM: 'xterm' } });
    tty.out.error(new UsageError('bad', 'hint'));
    expect(tty.stderr.text).toContain('\u001b[31merror:\u001b[39m bad');
    const noColor = make({ tty: true, env: { NO_COLOR: '1' } });
    noColor.out.error(new UsageError('bad'));
    expect(noColor.stderr.text).toBe('error: bad\n');
  });
});

describe('Output results and tables', () => {
  it('emits the value as JSON in JSON mode and never calls the text renderer', () => {
    const { out, stdout } = make({ json: true });
    out.result({ rules: rows }, () => {
      throw new Error('text renderer must not run in JSON mode');
    });
    expect(JSON.parse(stdout.text)).toEqual({ rules: rows });
    out.line('ignored');
    out.table(rows, columns);
    expect(JSON.parse(stdout.text)).toEqual({ rules: rows });
  });

  it('renders plain tab-separated lines when stdout is not a TTY', () => {
    const { out, stdout } = make();
    out.table(rows, columns);
    expect(stdout.text).toBe('rule\tcount\nCreate Privileged Pod\t3\nAttach to cluster-admin Role\t12\n');
  });

  it('renders an aligned table with a bold header on a TTY', () => {
    const { out, stdout } = make({ tty: true, env: { TERM: 'xterm' } });
    out.table(rows, columns);
    const lines = stdout.text.split('\n');
    expect(lines[0]).toBe('\u001b[1mRULE                        \u001b[22m  \u001b[1mCOUNT\u001b[22m');
    expect(lines[1]).toBe('Create Privileged Pod             3');
    expect(lines[2]).toBe('Attach to cluster-admin Role     12');
  });

  it('writes NDJSON events in JSON mode', () => {
    const { out, stdout } = make({ json: true });
    out.event({ type: 'ready', workload: 'web' }, () => undefined);
    out.event({ type: 'failed', workload: 'api' }, () => undefined);
    expect(
      stdout.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      { type: 'ready', workload: 'web' },
      { type: 'failed', workload: 'api' },
    ]);
  });
});

describe('shouldUseColor', () => {
  it('follows --no-color, NO_COLOR, FORCE_COLOR and TTY', () => {
    expect(shouldUseColor({ write: () => true, isTTY: true }, { env: { TERM: 'xterm' } })).toBe(true);
    expect(shouldUseColor({ write: () => true, isTTY: true }, { env: { TERM: 'dumb' } })).toBe(false);
    expect(shouldUseColor({ write: () => true, isTTY: true }, { noColorFlag: true, env: {} })).toBe(false);
    expect(shouldUseColor({ write: () => true, isTTY: true }, { env: { NO_COLOR: 'x' } })).toBe(false);
    expect(shouldUseColor({ write: () => true, isTTY: false }, { env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(shouldUseColor({ write: () => true, isTTY: false }, { env: {} })).toBe(false);
  });
});
