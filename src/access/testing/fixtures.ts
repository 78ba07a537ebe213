/** Paths of the shared access fixtures (../shared/fixtures/access, never copied into the repo). */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function accessFixture(name: string): string {
  return resolve(repoRoot, '../shared/fixtures/access', name);
}

export function readAccessFixture(name: string): unknown {
  return JSON.parse(readFileSync(accessFixture(name), 'utf8'));
}
