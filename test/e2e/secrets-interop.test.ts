/**
 * Chartroom and the real sops 3.13.2 on the same files, both directions: every format (YAML,
 * JSON, dotenv, INI, binary) with age, PGP (gpg and its agent, temporary GNUPGHOME with the
 * published test keys), AWS KMS (moto's server, with an encryption context) and two key groups
 * with a Shamir threshold of 2. sops decrypts what Chartroom encrypted and the reverse, to
 * identical plaintext, and the encrypted layouts match sops's byte for byte once the random
 * parts (ciphertexts, wrapped keys, dates) are masked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGE,
  chartroom,
  gnupgHome,
  maskRandom,
  peer,
  PGP_KEY_1,
  runProc,
  type GnupgHome,
} from './secrets-support.js';
import { startMoto, type MotoServer } from '../../src/testing/moto.js';

const PLAINTEXTS: Record<string, string | Buffer> = {
  yaml: `# Settings of the demo service
app:
    name: demo # the service
    replicas: 3
    ratio: 0.25
    big: 12345678901234
    octal: 0777
    enabled: true
    disabled: false
    since: 2024-01-01
    at: 2024-05-06T07:08:09.123+02:00
    nothing: null
    empty: ""
    quoted: "yes"
    unicode: "héllo wörld ✓"
    needs_quotes: ": colon"
    multiline: |
        first line
        second line
    list:
        - one
        - 2
        - 3.5
        - nested: value
          other: thing
    # comment inside app
    password: s3cr3t!
    user_unencrypted: admin
"key with spaces": value
top_list:
    - a
    - b
`,
  json: `{
  "name": "demo",
  "port": 8080,
  "ratio": 1.5,
  "big": 9007199254740993,
  "huge": 1e300,
  "flag": true,
  "none": null,
  "html": "<b>&amp;</b>",
  "unicode": "\\u00e9\\u2028x",
  "nested": {"list": [1, "two", {"three": 3}], "empty": {}, "emptyList": []},
  "secret_unencrypted": "visible"
}
`,
  dotenv: `# database settings
DB_HOST=db.internal
DB_PASSWORD=p@ss=word with spaces
MULTI=line1\\nline2
EMPTY=
QUOTED="kept as is"
`,
  ini: `; global settings
global_key = global value

[database]
; the primary
host = db.internal
password = "  padded  "
port=5432

[cache]
url = redis://cache:6379
ttl_unencrypted = 60
`,
  binary: Buffer.concat([
    Buffer.from('binary\u0000data\n'),
    Buffer.from([0xff, 0xfe, 0x80, 0x00, 0x01]),
    Buffer.from('\n\n\n'),
  ]),
};

const EXT: Record<string, string> = { yaml: 'yaml', json: 'json', dotenv: 'env', ini: 'ini', binary: 'bin' };

describe('secrets: interoperability with sops 3.13.2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-interop-'));
  const sops = peer('sops');
  let moto: MotoServer;
  let gpg: GnupgHome;
  let kmsArn = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    [moto, gpg] = await Promise.all([startMoto(), Promise.resolve(gnupgHome())]);
    const kms = new KMSClient({
      region: 'us-east-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const created = await kms.send(new CreateKeyCommand({}));
    kmsArn = created.KeyMetadata?.Arn ?? '';
    kms.destroy();
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      GNUPGHOME: gpg.path,
      SOPS_AGE_KEY: `${AGE.sopsAge.identity}\n${AGE.helmSecrets.identity}`,
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
      SOPS_DISABLE_VERSION_CHECK: '1',
    };
  }, 60_000);

  afterAll(async () => {
    await moto.stop();
    gpg.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const setups: Record<string, () => { flags: string[]; config?: string }> = {
    age: () => ({ flags: ['--age', AGE.sopsAge.recipient] }),
    pgp: () => ({ flags: ['--pgp', PGP_KEY_1] }),
    kms: () => ({ flags: ['--kms', kmsArn, '--encryption-context', 'app:demo,env:test'] }),
    'two key groups, threshold 2': () => ({
      flags: [],
      config: `creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age:\n          - ${AGE.sopsAge.recipient}\n      - pgp:\n          - ${PGP_KEY_1}\n        kms:\n          - arn: ${kmsArn}\n            context:\n              app: demo\n`,
    }),
  };

  async function sopsRun(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
    return runProc(sops, args, { env: { ...env, ...extraEnv }, cwd });
  }

  for (const [format, plaintext] of Object.entries(PLAINTEXTS)) {
    for (const [setupName, setup] of Object.entries(setups)) {
      it(`${format} with ${setupName}: both directions`, async () => {
        const { flags, config } = setup();
        const work = mkdtempSync(join(dir, `${format}-`));
        if (config !== undefined) writeFileSync(join(work, '.sops.yaml'), config);
        const plain = join(work, `plain.${EXT[format]}`);
        writeFileSync(plain, plaintext);
        const ours = join(work, `ours.${EXT[format]}`);
        const theirs = join(work, `theirs.${EXT[format]}`);

        const [enc, sopsEnc] = await Promise.all([
          chartroom(['secrets', 'encrypt', ...flags, '--output', ours, plain], env, work),
          sopsRun(['encrypt', ...flags, plain], work),
        ]);
        expect(enc.stderr).toBe('');
        expect(enc.code).toBe(0);
        expect(sopsEnc.code, sopsEnc.stderr).toBe(0);
        writeFileSync(theirs, sopsEnc.stdout);

        // Same layout as sops writes, byte for byte, once random parts are masked.
        if (format !== 'binary') {
          expect(maskRandom(readFileSync(ours, 'utf8'))).toBe(maskRandom(sopsEnc.stdout.toString('utf8')));
        }

        const oursOfTheirs = join(work, 'ours-of-theirs');
        const [sopsOfOurs, sopsOfTheirs, dec] = await Promise.all([
          sopsRun(['decrypt', ours], work),
          sopsRun(['decrypt', theirs], work),
          chartroom(['secrets', 'decrypt', '--output', oursOfTheirs, theirs], env, work),
        ]);
        expect(sopsOfOurs.code, sopsOfOurs.stderr).toBe(0);
        expect(sopsOfTheirs.code, sopsOfTheirs.stderr).toBe(0);
        expect(dec.code, dec.stderr).toBe(0);

        expect(sopsOfOurs.stdout.equals(sopsOfTheirs.stdout)).toBe(true);
        expect(readFileSync(oursOfTheirs).equals(sopsOfTheirs.stdout)).toBe(true);
        if (format === 'binary') expect(sopsOfOurs.stdout.equals(plaintext as Buffer)).toBe(true);
      }, 60_000);
    }
  }
});
