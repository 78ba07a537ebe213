/** Paths of the shared Falco fixtures (../shared/fixtures/falco, read in place, never copied). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');

export function falcoFixture(...parts: string[]): string {
  return resolve(repoRoot, '../shared/fixtures/falco', ...parts);
}

export function readFalcoFixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(falcoFixture(...parts), 'utf8'));
}
