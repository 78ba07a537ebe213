/**
 * Every encrypted fixture in ../shared/fixtures/sops (written by the real sops, 3.3 to 3.13)
 * decrypts with the published test keys to its expected plaintext, with the MAC verified, the
 * same data key, and every value at the same AAD, type and plaintext as the reference
 * decryption in decrypted-values.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValueCipher, toBytes, type Leaf } from './cipher.js';
import { decryptDocument } from './document.js';
import { SecretsError } from './errors.js';
import { formatForPath, storeFor } from './stores/index.js';
import { fixture, fixtureEnv } from './testing.js';
import { Comment, TreeBranch } from './tree.js';
import { parseYamlDocuments } from './stores/yaml/parse.js';

interface RefValue {
  path: string[];
  aad?: string;
  type?: string;
  plaintext?: string;
  cleartext?: string;
  comment?: boolean;
}

interface RefFile {
  format: string;
  dataKeyHex: string;
  mac: string | null;
  macVerified: boolean | null;
  values: RefValue[];
}

/** Records every value the cipher decrypts, in document order. */
class RecordingCipher extends ValueCipher {
  readonly seen: { aad: string; type: string; plaintext: string }[] = [];
  override decrypt(text: string, key: Uint8Array, aad: string): Leaf {
    const value = super.decrypt(text, key, aad);
    if (text !== '' && aad !== '' && !/^\d{4}-/.test(aad)) {
      const type = /type:([a-z]+)\]/.exec(text)?.[1] ?? '';
      this.seen.push({ aad, type, plaintext: toBytes(value).toString('utf8') });
    }
    return value;
  }
}

const folders = ['getsops-sops', 'helm-secrets', 'sops-age'];
const cases: { folder: string; file: string; ref: RefFile }[] = [];
for (const folder of folders) {
  const refs = JSON.parse(readFileSync(fixture(folder, 'decrypted-values.json'), 'utf8')) as {
    files: Record<string, RefFile>;
  };
  for (const [file, ref] of Object.entries(refs.files)) cases.push({ folder, file, ref });
}

/** The store by file name, as sops picks it (`.properties`/`.raw`/`.txt` are binary). */
const storeOf = (path: string) => storeFor(formatForPath(path));

describe('every sops fixture decrypts with its published keys', () => {
  it('covers all fixture files', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const { folder, file, ref } of cases) {
    it(`${folder}/${file}`, async () => {
      const path = fixture(folder, file);
      const store = storeOf(path);
      const doc = store.loadEncrypted(readFileSync(path));
      const cipher = new RecordingCipher();
      const ctx = { env: fixtureEnv() };
      if (ref.macVerified === null) {
        // no_mac.yaml: refused with sops's exit 51 unless --ignore-mac.
        const again = store.loadEncrypted(readFileSync(path));
        const err = await decryptDocument(again, { ctx }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SecretsError);
        expect((err as SecretsError).exitCode).toBe(51);
        expect((err as SecretsError).message).toMatch(/^MAC mismatch\. File has no MAC, computed /);
      }
      const key = await decryptDocument(doc, { ctx, cipher, ignoreMac: ref.macVerified === null });
      expect(Buffer.from(key).toString('hex')).toBe(ref.dataKeyHex);
      const expected = ref.values.filter(
        (v) =>
          v.aad !== undefined && v.plaintext !== undefined && !(v.comment === true && v.type === undefined),
      );
      expect(cipher.seen.map((s) => [s.aad, s.type, s.plaintext])).toEqual(
        expected.map((v) => [v.aad, v.type, v.plaintext]),
      );
      if (ref.mac !== null) {
        // Decrypting again from scratch must give the reference MAC (cleartext values included).
        const fresh = store.loadEncrypted(readFileSync(path));
        const mac = await import('./crypt.js').then(
          ({ decryptTree }) =>
            decryptTree({ branches: fresh.branches, rules: fresh.metadata, key, cipher: new ValueCipher() })
              .mac,
        );
        expect(mac).toBe(ref.mac);
      }
    });
  }
});

const exact: [string, string][] = [
  ['getsops-sops/example.txt', 'getsops-sops/example.expected.txt'],
  [
    'getsops-sops/functional-tests/res/format.enc.yaml',
    'getsops-sops/functional-tests/res/format.enc.expected.yaml',
  ],
  [
    'getsops-sops/functional-tests/res/format.enc.json',
    'getsops-sops/functional-tests/res/format.enc.expected.json',
  ],
  [
    'getsops-sops/functional-tests/res/format.enc.env',
    'getsops-sops/functional-tests/res/format.enc.expected.env',
  ],
  [
    'getsops-sops/functional-tests/res/format.enc.ini',
    'getsops-sops/functional-tests/res/format.enc.expected.ini',
  ],
  [
    'getsops-sops/functional-tests/res/format-2.enc.ini',
    'getsops-sops/functional-tests/res/format-2.enc.expected.ini',
  ],
  [
    'helm-secrets/tests/assets/values/sops/secrets.trailing-newline.raw',
    'helm-secrets/tests/assets/values/sops/secrets.trailing-newline.expected.raw',
  ],
  [
    'helm-secrets/tests/assets/values/sops/files/file.properties',
    'helm-secrets/tests/assets/values/sops/files/file.expected.properties',
  ],
  [
    'helm-secrets/tests/assets/values/sops/files/file.json',
    'helm-secrets/tests/assets/values/sops/files/file.expected.json',
  ],
  [
    'helm-secrets/tests/assets/values/sops/files/file.yaml',
    'helm-secrets/tests/assets/values/sops/files/file.expected.yaml',
  ],
  ['sops-age/tests/data/secret.enc.env', 'sops-age/tests/data/secret.enc.expected.env'],
];

const semantic: [string, string][] = [
  [
    'getsops-sops/functional-tests/res/comments.enc.yaml',
    'getsops-sops/functional-tests/res/comments.enc.expected.yaml',
  ],
  [
    'getsops-sops/functional-tests/res/comments_unencrypted_comments.yaml',
    'getsops-sops/functional-tests/res/comments_unencrypted_comments.expected.yaml',
  ],
  [
    'helm-secrets/tests/assets/values/sops/secrets.yaml',
    'helm-secrets/tests/assets/values/sops/secrets.expected.yaml',
  ],
  [
    'helm-secrets/tests/assets/values/sops/some-secrets.yaml',
    'helm-secrets/tests/assets/values/sops/some-secrets.expected.yaml',
  ],
  ['sops-age/tests/data/secret.enc.json', 'sops-age/tests/data/secret.enc.expected.json'],
];

async function plaintextOf(file: string): Promise<{ bytes: Buffer; branches: TreeBranch[] }> {
  const path = fixture(file);
  const store = storeOf(path);
  const doc = store.loadEncrypted(readFileSync(path));
  await decryptDocument(doc, { ctx: { env: fixtureEnv() } });
  return { bytes: store.emitPlain(doc.branches), branches: doc.branches };
}

/** Comparable form of a tree: values with their types, comments as text. */
function shape(v: unknown): unknown {
  if (v instanceof TreeBranch)
    return v.items.map((it) => [it.key instanceof Comment ? `#${it.key.value}` : it.key, shape(it.value)]);
  if (Array.isArray(v)) return v.map(shape);
  if (v instanceof Comment) return `#${v.value}`;
  if (typeof v === 'bigint') return `int:${v}`;
  if (typeof v === 'number') return `float:${v}`;
  return v;
}

describe('decrypted fixtures print what sops prints', () => {
  for (const [enc, expected] of exact) {
    it(`${enc} is byte-identical to ${expected.split('/').pop()}`, async () => {
      const { bytes } = await plaintextOf(enc);
      expect(bytes.toString('latin1')).toBe(readFileSync(fixture(expected)).toString('latin1'));
    });
  }
  for (const [enc, expected] of semantic) {
    it(`${enc} has the data of ${expected.split('/').pop()}`, async () => {
      const { branches } = await plaintextOf(enc);
      const text = readFileSync(fixture(expected), 'utf8');
      if (expected.endsWith('.json')) {
        const want = JSON.parse(text) as unknown;
        const got = JSON.parse(storeOf(fixture(enc)).emitPlain(branches).toString('utf8')) as unknown;
        expect(got).toEqual(want);
      } else {
        expect(shape(branches[0])).toEqual(shape(parseYamlDocuments(text)[0]));
      }
    });
  }
});
