/** Test helpers for the secrets capability: fixture paths and the published test keys. */
import { readFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = resolve(REPO_ROOT, '../shared/fixtures/sops');

export const fixture = (...parts: string[]): string => resolve(FIXTURES, ...parts);

/** Every published age test identity of the fixtures, as SOPS_AGE_KEY takes them. */
export function fixtureAgeKeys(): string {
  return [
    fixture('sops-age/key.txt'),
    fixture('helm-secrets/tests/assets/age/key.txt'),
    fixture('getsops-sops/age/keys.txt'),
  ]
    .map((p) => readFileSync(p, 'utf8'))
    .join('\n')
    .split('\n')
    .filter((l) => l.startsWith('AGE-SECRET-KEY-'))
    .join('\n');
}

/** The published PGP test keys (sops's functional-test keys and helm-secrets'). */
export const FIXTURE_PGP_KEY_FILES = [
  fixture('getsops-sops/pgp/sops_functional_tests_key.asc'),
  fixture('helm-secrets/tests/assets/gpg/private.gpg'),
  fixture('helm-secrets/tests/assets/gpg/private2.gpg'),
];

/** An environment that decrypts every fixture without gpg (OpenPGP.js with the key files). */
export function fixtureEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: '/nonexistent-home',
    SOPS_AGE_KEY: fixtureAgeKeys(),
    CHARTROOM_PGP_BACKEND: 'openpgp',
    CHARTROOM_PGP_KEYRING: FIXTURE_PGP_KEY_FILES.join(delimiter),
    GNUPGHOME: '/nonexistent-gnupghome',
    ...extra,
  };
}
