/** Where the anchors' fixture suites live (../shared/fixtures/policy beside the repository). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const fixturesRoot = resolve(repoRoot, '../shared/fixtures/policy');

export function readExpectations(tool: 'polaris' | 'kube-score' | 'kube-linter'): unknown {
  return JSON.parse(readFileSync(resolve(fixturesRoot, tool, 'expectations.json'), 'utf8'));
}
