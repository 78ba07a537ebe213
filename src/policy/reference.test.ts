import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allChecks } from './checks/index.js';
import { docsPath, regenerate } from './reference.js';

describe('docs/policy.md', () => {
  const docs = readFileSync(docsPath, 'utf8');

  it('holds the current checks, mapping table and conformance numbers (npx tsx src/policy/reference.ts rewrites them)', () => {
    expect(docs).toBe(regenerate(docs));
  });

  it('documents every check with why and how to fix', () => {
    for (const check of allChecks) {
      expect(docs).toContain(`#### \`${check.id}\``);
      expect(check.why.length).toBeGreaterThan(40);
      expect(check.fix.length).toBeGreaterThan(20);
    }
    expect(new Set(allChecks.map((c) => c.id)).size).toBe(allChecks.length);
  });
});
