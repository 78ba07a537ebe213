import { describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const names = (...flags: string[]) =>
  runCliInMemory(['previews', 'names', 'feature/x', '--app', 'web', '--domain', 'example.com', ...flags]);

describe('previews names', () => {
  it('prints the names a branch gets', async () => {
    const result = await names();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('namespace  web-feature-x-');
  });

  it('refuses a template that gives no valid name, as the server does (it printed the name "{branch}")', async () => {
    const result = await names('--namespace', '{branch}');
    expect(result.stderr).toBe(
      'error: namespace template gives an invalid name: {branch}\n' +
        'hint: Templates use {app}, {label} and {domain}; see docs/previews.md#names.\n',
    );
    expect(result.code).toBe(2);
  });
});
