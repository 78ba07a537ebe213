/**
 * The life of a secrets file across both tools: rotate and updatekeys results open in sops,
 * KMS with an assumed role and with a named profile (moto's server), tampering gives the same
 * exit codes as sops (51 for a MAC mismatch, 25 for a broken value, 128 without a key, 203 for
 * encrypting twice), and set/unset/exec-env/exec-file/filestatus/--extract agree with sops.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE, chartroom, peer, runProc } from './secrets-support.js';
import { startMoto, type MotoServer } from '../../src/testing/moto.js';

const PLAIN = `db:
    user: app
    password: s3cr3t
    hosts:
        - a.internal
        - b.internal
    port_unencrypted: 5432
api_token: tok-123
`;

describe('secrets: lifecycle against sops', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-life-'));
  const sops = peer('sops');
  let moto: MotoServer;
  let kmsArn = '';
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, SOPS_DISABLE_VERSION_CHECK: '1' };
  const both = `${AGE.sopsAge.identity}\n${AGE.helmSecrets.identity}`;
  const withKey = (identity: string): NodeJS.ProcessEnv => ({ ...base, SOPS_AGE_KEY: identity });
  let n = 0;

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    moto = await startMoto();
    const kms = new KMSClient({
      region: 'eu-west-1',
      endpoint: moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    kmsArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    kms.destroy();
  }, 60_000);

  afterAll(async () => {
    await moto.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function work(): string {
    const w = join(dir, `case-${++n}`);
    mkdirSync(w);
    return w;
  }

  async function encryptAge(w: string, recipient = AGE.sopsAge.recipient): Promise<string> {
    const plain = join(w, 'secrets.yaml');
    writeFileSync(plain, PLAIN);
    const r = await chartroom(['secrets', 'encrypt', '-i', '--age', recipient, plain], base, w);
    expect(r.code, r.stderr).toBe(0);
    return plain;
  }

  const sopsDecrypt = (file: string, env: NodeJS.ProcessEnv, cwd: string) =>
    runProc(sops, ['decrypt', file], { env, cwd });

  it('rotate gives a new data key; sops opens the result', async () => {
    const w = work();
    const file = await encryptAge(w);
    const before = readFileSync(file, 'utf8');
    const r = await chartroom(['secrets', 'rotate', '-i', file], withKey(both), w);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(file, 'utf8');
    const ageBlock = (t: string) => /-----BEGIN AGE[\s\S]*?-----END AGE ENCRYPTED FILE-----/.exec(t)?.[0];
    expect(ageBlock(after)).not.toBe(ageBlock(before));
    const password = (t: string) => /password: (ENC\[[^\]]*\])/.exec(t)?.[1];
    expect(password(after)).not.toBe(password(before));
    const dec = await sopsDecrypt(file, withKey(both), w);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(PLAIN);
  });

  it('rotate --add-age/--rm-age changes who can read; sops agrees', async () => {
    const w = work();
    const file = await encryptAge(w);
    const r = await chartroom(
      [
        'secrets',
        'rotate',
        '-i',
        '--add-age',
        AGE.helmSecrets.recipient,
        '--rm-age',
        AGE.sopsAge.recipient,
        file,
      ],
      withKey(both),
      w,
    );
    expect(r.code, r.stderr).toBe(0);
    const newOnly = await sopsDecrypt(file, withKey(AGE.helmSecrets.identity), w);
    expect(newOnly.code, newOnly.stderr).toBe(0);
    expect(newOnly.stdout.toString()).toBe(PLAIN);
    const oldOnly = await sopsDecrypt(file, withKey(AGE.sopsAge.identity), w);
    expect(oldOnly.code).toBe(128);
    const ours = await chartroom(['secrets', 'decrypt', file], withKey(AGE.sopsAge.identity), w);
    expect(ours.code).toBe(128);
    expect(ours.stderr).toMatch(/Failed to get the data key required to decrypt the SOPS file/);
  });

  it('updatekeys re-wraps the same data key for the keys .sops.yaml now names', async () => {
    const w = work();
    writeFileSync(
      join(w, '.sops.yaml'),
      `creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: ${AGE.sopsAge.recipient}\n`,
    );
    const file = join(w, 'secrets.yaml');
    writeFileSync(file, PLAIN);
    expect((await chartroom(['secrets', 'encrypt', '-i', file], base, w)).code).toBe(0);
    const before = readFileSync(file, 'utf8');
    writeFileSync(
      join(w, '.sops.yaml'),
      `creation_rules:\n  - path_regex: secrets\\.yaml$\n    age: ${AGE.helmSecrets.recipient}\n`,
    );
    const r = await chartroom(['secrets', 'updatekeys', '-y', file], withKey(AGE.sopsAge.identity), w);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`+++ ${AGE.helmSecrets.recipient}`);
    expect(r.stdout).toContain(`--- ${AGE.sopsAge.recipient}`);
    const after = readFileSync(file, 'utf8');
    // Values, MAC and lastmodified untouched: only the key wrapping changed.
    const body = (t: string) => t.split('sops:')[0];
    expect(body(after)).toBe(body(before));
    expect(/mac: .*/.exec(after)?.[0]).toBe(/mac: .*/.exec(before)?.[0]);
    const dec = await sopsDecrypt(file, withKey(AGE.helmSecrets.identity), w);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(PLAIN);
    const again = await chartroom(
      ['secrets', 'updatekeys', '-y', file],
      withKey(AGE.helmSecrets.identity),
      w,
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already up to date');
  });

  it('KMS through an assumed role (STS at moto), both directions', async () => {
    const w = work();
    const env = {
      ...base,
      AWS_ENDPOINT_URL: moto.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    const kms = `${kmsArn}+arn:aws:iam::123456789012:role/sops-decrypt`;
    const plain = join(w, 'role.yaml');
    writeFileSync(plain, PLAIN);
    const ours = join(w, 'ours.yaml');
    expect(
      (await chartroom(['secrets', 'encrypt', '--kms', kms, '--output', ours, plain], env, w)).code,
    ).toBe(0);
    expect(readFileSync(ours, 'utf8')).toContain('role: arn:aws:iam::123456789012:role/sops-decrypt');
    const dec = await sopsDecrypt(ours, env, w);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(PLAIN);
    const theirs = await runProc(sops, ['encrypt', '--kms', kms, plain], { env, cwd: w });
    expect(theirs.code, theirs.stderr).toBe(0);
    writeFileSync(join(w, 'theirs.yaml'), theirs.stdout);
    const back = await chartroom(['secrets', 'decrypt', join(w, 'theirs.yaml')], env, w);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toBe(PLAIN);
  });

  it('KMS with a named AWS profile and no other credentials, both directions', async () => {
    const w = work();
    const credentials = join(w, 'credentials');
    writeFileSync(credentials, '[ci]\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    writeFileSync(join(w, 'config'), '[profile ci]\nregion = eu-west-1\n');
    const env = {
      ...base,
      AWS_ENDPOINT_URL: moto.url,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_CONFIG_FILE: join(w, 'config'),
    };
    const plain = join(w, 'profile.json');
    writeFileSync(plain, '{"token": "abc", "n": 1}\n');
    const ours = join(w, 'ours.json');
    const enc = await chartroom(
      ['secrets', 'encrypt', '--kms', kmsArn, '--aws-profile', 'ci', '--output', ours, plain],
      env,
      w,
    );
    expect(enc.code, enc.stderr).toBe(0);
    expect(readFileSync(ours, 'utf8')).toContain('"aws_profile": "ci"');
    const dec = await sopsDecrypt(ours, env, w);
    expect(dec.code, dec.stderr).toBe(0);
    expect(JSON.parse(dec.stdout.toString())).toEqual({ token: 'abc', n: 1 });
    const theirs = await runProc(sops, ['encrypt', '--kms', kmsArn, '--aws-profile', 'ci', plain], {
      env,
      cwd: w,
    });
    expect(theirs.code, theirs.stderr).toBe(0);
    writeFileSync(join(w, 'theirs.json'), theirs.stdout);
    const back = await chartroom(['secrets', 'decrypt', join(w, 'theirs.json')], env, w);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toEqual({ token: 'abc', n: 1 });
  });

  it('tampering and missing keys give sops exit codes, in both tools', async () => {
    const w = work();
    const file = await encryptAge(w);
    const original = readFileSync(file, 'utf8');
    const env = withKey(AGE.sopsAge.identity);
    const variants: [string, string, number][] = [
      ['a cleartext value changed', original.replace('port_unencrypted: 5432', 'port_unencrypted: 6543'), 51],
      [
        'list items swapped',
        original.replace(/(hosts:\n\s+- )(ENC\[[^\]]+\])(\n\s+- )(ENC\[[^\]]+\])/, '$1$4$3$2'),
        51,
      ],
      ['an entry removed', original.replace(/\n {4}user: ENC\[[^\]]+\]/, ''), 51],
      [
        'a ciphertext altered',
        original.replace(
          /(password: ENC\[AES256_GCM,data:)(.)/,
          (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A'),
        ),
        25,
      ],
      ['the MAC removed', original.replace(/mac: ENC\[[^\]]+\]/, 'mac: ""'), 51],
    ];
    for (const [what, content, code] of variants) {
      expect(content, what).not.toBe(original);
      const f = join(w, `t.yaml`);
      writeFileSync(f, content);
      const [ours, theirs] = await Promise.all([
        chartroom(['secrets', 'decrypt', f], env, w),
        sopsDecrypt(f, env, w),
      ]);
      expect([what, theirs.code]).toEqual([what, code]);
      expect([what, ours.code]).toEqual([what, code]);
    }
    const noKey = { ...base, SOPS_AGE_KEY: AGE.helmSecrets.identity };
    const [ours, theirs] = await Promise.all([
      chartroom(['secrets', 'decrypt', file], noKey, w),
      sopsDecrypt(file, noKey, w),
    ]);
    expect(theirs.code).toBe(128);
    expect(ours.code).toBe(128);
    const twice = await chartroom(['secrets', 'encrypt', '--age', AGE.sopsAge.recipient, file], base, w);
    const twiceSops = await runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, file], {
      env: base,
      cwd: w,
    });
    expect(twiceSops.code).toBe(203);
    expect(twice.code).toBe(203);
    expect((await chartroom(['secrets', 'decrypt', join(w, 'missing.yaml')], env, w)).code).toBe(100);
    const ignored = await chartroom(['secrets', 'decrypt', '--ignore-mac', join(w, 't.yaml')], env, w);
    expect(ignored.code).toBe(0);
  });

  it('set, unset, --extract, filestatus, exec-env and exec-file agree with sops', async () => {
    const w = work();
    const ours = await encryptAge(w);
    const theirs = join(w, 'theirs.yaml');
    writeFileSync(theirs, readFileSync(ours));
    const env = withKey(AGE.sopsAge.identity);
    const before = readFileSync(ours, 'utf8');
    expect((await chartroom(['secrets', 'set', ours, '["db"]["password"]', '"n3w"'], env, w)).code).toBe(0);
    expect((await runProc(sops, ['set', theirs, '["db"]["password"]', '"n3w"'], { env, cwd: w })).code).toBe(
      0,
    );
    const after = readFileSync(ours, 'utf8');
    // Only the changed value (plus mac/lastmodified) gets a new ciphertext.
    expect(/user: (ENC\[[^\]]+\])/.exec(after)?.[1]).toBe(/user: (ENC\[[^\]]+\])/.exec(before)?.[1]);
    expect(/password: (ENC\[[^\]]+\])/.exec(after)?.[1]).not.toBe(
      /password: (ENC\[[^\]]+\])/.exec(before)?.[1],
    );
    const idem = await chartroom(
      ['secrets', 'set', '--idempotent', ours, '["db"]["password"]', '"n3w"'],
      env,
      w,
    );
    expect(idem.code).toBe(0);
    expect(readFileSync(ours, 'utf8')).toBe(after);
    expect((await chartroom(['secrets', 'set', ours, '["new"]', '[1, 2]'], env, w)).code).toBe(7);
    expect((await chartroom(['secrets', 'set', ours, '["new"]', '{"a": 1, "b": true}'], env, w)).code).toBe(
      0,
    );
    expect(
      (await runProc(sops, ['set', theirs, '["new"]', '{"a": 1, "b": true}'], { env, cwd: w })).code,
    ).toBe(0);
    expect((await chartroom(['secrets', 'unset', ours, '["api_token"]'], env, w)).code).toBe(0);
    expect((await runProc(sops, ['unset', theirs, '["api_token"]'], { env, cwd: w })).code).toBe(0);
    expect((await chartroom(['secrets', 'unset', ours, '["api_token"]'], env, w)).code).toBe(1);
    expect((await chartroom(['secrets', 'unset', '--idempotent', ours, '["api_token"]'], env, w)).code).toBe(
      0,
    );
    const [a, b] = await Promise.all([sopsDecrypt(ours, env, w), sopsDecrypt(theirs, env, w)]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.toString()).toBe(b.stdout.toString());

    for (const extract of ['["db"]["hosts"][1]', '["db"]["hosts"]', '["db"]', '["new"]["a"]']) {
      const [x, y] = await Promise.all([
        chartroom(['secrets', 'decrypt', '--extract', extract, ours], env, w),
        runProc(sops, ['decrypt', '--extract', extract, theirs], { env, cwd: w }),
      ]);
      expect([extract, x.code, x.stdout]).toEqual([extract, 0, y.stdout.toString()]);
    }
    const bad = await chartroom(['secrets', 'decrypt', '--extract', '["db"]["nope"]', ours], env, w);
    expect(bad.code).toBe(1);

    const status = await chartroom(['secrets', 'filestatus', ours], base, w);
    expect(status.stdout).toBe('{"encrypted":true}\n');
    writeFileSync(join(w, 'plain.yaml'), PLAIN);
    expect((await chartroom(['secrets', 'filestatus', join(w, 'plain.yaml')], base, w)).stdout).toBe(
      '{"encrypted":false}\n',
    );

    const envFile = join(w, 'app.env');
    writeFileSync(envFile, 'TOKEN=abc def\nCOUNT=3\n');
    expect(
      (await chartroom(['secrets', 'encrypt', '-i', '--age', AGE.sopsAge.recipient, envFile], base, w)).code,
    ).toBe(0);
    const out = join(w, 'out.txt');
    const execEnv = await chartroom(
      ['secrets', 'exec-env', envFile, `printf '%s|%s' "$TOKEN" "$COUNT" > ${out}`],
      env,
      w,
    );
    expect(execEnv.code, execEnv.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('abc def|3');
    const failing = await chartroom(['secrets', 'exec-env', envFile, 'exit 7'], env, w);
    expect(failing.code).toBe(7);
    for (const fifo of [[], ['--no-fifo']]) {
      const execFile = await chartroom(
        ['secrets', 'exec-file', ...fifo, ours, `cat {} > ${out}; test ! -e /dev/null/x`],
        env,
        w,
      );
      expect(execFile.code, execFile.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(a.stdout.toString());
    }
    // A command that never reads the FIFO must not hang us.
    expect((await chartroom(['secrets', 'exec-file', ours, 'true'], env, w)).code).toBe(0);
  });
});
