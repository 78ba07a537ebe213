import { describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

function cli(...args: string[]) {
  return runCliInMemory(args);
}

describe('the chartroom CLI', () => {
  it('prints help and exits 0', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: chartroom/);
    expect(result.stdout).toContain('--output <format>');
  });

  it('prints its version', async () => {
    const result = await cli('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown option with exit 2 and a hint', async () => {
    const result = await cli('--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown option '--bogus'\nhint: Run `chartroom --help` for the options.\n",
    );
  });

  it("gives a command's own usage error without a hint that command's help as the hint", async () => {
    const result = await cli('deploy', 'history', '--limit', '-3');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: --limit must be a whole number from 1 to 10000, not "-3"\n' +
        'hint: Run `chartroom deploy history --help` for the options.\n',
    );
  });

  it('rejects an invalid --output choice', async () => {
    const result = await cli('--output', 'yaml', '--help');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: option '-o, --output <format>' argument 'yaml' is invalid/);
  });

  it('reports usage errors as JSON with --output json', async () => {
    const result = await cli('--output', 'json', '--bogus');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        code: 'usage',
        message: "unknown option '--bogus'",
        hint: 'Run `chartroom --help` for the options.',
        exitCode: 2,
      },
    });
  });
});

describe('unknown commands', () => {
  it('exit 2 with a hint naming --help', async () => {
    const result = await cli('nosuch');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown command 'nosuch'\nhint: Run `chartroom --help` to see the commands.\n",
    );
  });

  it('suggest the closest command', async () => {
    const result = await cli('clustr');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Did you mean cluster\?/);
  });
});
