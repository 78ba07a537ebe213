import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

// An empty cache and no PATH: had a flag slipped through, `up` would stop at "etcd is not
// installed" (exit 5) without starting anything.
const cache = mkdtempSync(join(tmpdir(), 'chartroom-cluster-cli-'));
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
});
const up = (...flags: string[]) =>
  runCliInMemory(['cluster', 'up', '--name', 'flags', ...flags], { env: { CHARTROOM_CACHE: cache } });

describe('cluster up', () => {
  it.each([
    [['--audit-webhook', 'notaurl'], '--audit-webhook must be an http(s) URL, not "notaurl"'],
    [['--token-webhook', 'ftp://x'], '--token-webhook must be an http(s) URL, not "ftp://x"'],
    [['--token-webhook-cache-ttl', 'bogus'], '--token-webhook-cache-ttl must be a duration, not "bogus"'],
  ])('refuses %j before anything starts (exit 2)', async (flags, message) => {
    const result = await up(...flags);
    const [error, hint] = result.stderr.split('\n');
    expect(error).toBe(`error: ${message}`);
    expect(hint).toMatch(/^hint: /);
    expect(result.code).toBe(2);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('refuses a --webhook-ca that is not a file (exit 4)', async () => {
    const result = await up('--webhook-ca', join(cache, 'missing.pem'));
    expect(result.stderr).toContain(`error: --webhook-ca ${join(cache, 'missing.pem')} is not a file\n`);
    expect(result.code).toBe(4);
  });
});
