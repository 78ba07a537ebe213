import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../testing/run.js';
import type { ValuesFileRef } from '../config/load.js';
import { startHelm } from '../helm/process.js';
import { assembleValues, type AssembledValues } from './assemble.js';
import { peerPath as peer } from '../../testing/peer-process.js';

const example = resolve(import.meta.dirname, '../../../examples/webapp');
const demoKey = join(example, 'demo-age-key.txt');
const demoRecipient = 'age1hdvuqla0ccqepjkwyf7xqqw7zssh22n44pfr9hexz38e3ktgrf5qfe7p2v';
const env = { ...process.env, SOPS_AGE_KEY_FILE: demoKey };
let dir: string;

async function encrypted(name: string, text: string): Promise<string> {
  const plain = join(dir, `plain-${name}`);
  writeFileSync(plain, text);
  const result = await run(peer('sops'), [
    'encrypt',
    '--age',
    demoRecipient,
    '--input-type',
    'yaml',
    '--output-type',
    'yaml',
    plain,
  ]);
  rmSync(plain);
  if (result.code !== 0) throw new Error(result.stderr);
  const path = join(dir, name);
  writeFileSync(path, result.stdout);
  return path;
}

const ref = (path: string): ValuesFileRef => ({ path, display: path.slice(dir.length + 1), optional: false });

/** Renders a chart that prints every top-level value, with the real helm reading the pipes. */
async function render(values: AssembledValues): Promise<Record<string, string>> {
  const helm = startHelm({
    args: ['template', 'probe', join(dir, 'chart'), ...values.args],
    env,
    channel: values.channel,
  });
  const exit = await helm.exited;
  values.channel.dispose();
  // process.ts keeps Helm's stdout out of reach on purpose (it repeats values); the probe chart
  // reports the merged values through `fail`, on stderr.
  const json = /VALUES(\{.*\})VALUES/.exec(exit.stderr.join('\n'))?.[1];
  if (json === undefined) throw new Error(exit.stderr.join('\n'));
  return JSON.parse(json) as Record<string, string>;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chartroom-values-test-'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'chart', 'templates', 'probe.yaml'),
    '{{ fail (printf "VALUES%sVALUES" (toJson .Values)) }}\n',
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('values assembly (secrets in memory, Helm order kept)', () => {
  it('hands the example’s sops file to Helm as `-f -`, decrypted, and plain files by path', async () => {
    const values = await assembleValues({
      files: [
        {
          path: join(example, 'helm/env/secrets.staging.yaml'),
          display: 'helm/env/secrets.staging.yaml',
          optional: false,
        },
        { path: join(example, 'helm/env/staging.yaml'), display: 'helm/env/staging.yaml', optional: false },
      ],
      cwd: example,
      env,
    });
    expect(values.args).toEqual(['-f', '-', '-f', join(example, 'helm/env/staging.yaml')]);
    expect(values.sources.map((s) => s.kind)).toEqual(['secret-file', 'file']);
    expect(values.secretFiles).toEqual(['helm/env/secrets.staging.yaml']);
    expect(values.channel.documents[0]?.toString()).toContain('db_password: staging-Zq4vN7pR2wX9');
    // The digest of a secret file is its ciphertext's: nothing derived from the plaintext.
    const cipher = readFileSync(join(example, 'helm/env/secrets.staging.yaml'));
    expect(values.sources[0]?.sha256).toBe(
      (await import('node:crypto')).createHash('sha256').update(cipher).digest('hex'),
    );
    expect(values.redact('password is staging-Zq4vN7pR2wX9')).toBe('password is [redacted]');
    values.channel.dispose();
  });

  it('keeps the order of files, secret or not, and puts generated values last (real helm)', async () => {
    const first = await encrypted(
      'secrets.common.yaml',
      'a: from-secret-common\nb: from-secret-common\nc: from-secret-common\nd: from-secret-common\n',
    );
    const plain = join(dir, 'staging.yaml');
    writeFileSync(plain, 'b: from-plain\nc: from-plain\nd: from-plain\n');
    const second = await encrypted(
      'secrets.staging.yaml',
      'c: from-secret-staging\nd: from-secret-staging\n',
    );
    const values = await assembleValues({
      files: [ref(first), ref(plain), ref(second)],
      extraValues: [{ name: 'preview', values: { d: 'from-generated' } }],
      set: ['e=from-set'],
      cwd: dir,
      env,
    });
    expect(values.args[1]).toBe('-');
    expect(values.args[3]).toBe(plain);
    // Further in-memory documents are named pipes, never regular files.
    expect(values.args[5]).toMatch(/chartroom-values-.*\/values-2\.yaml$/);
    const rendered = await render(values);
    expect(rendered).toEqual({
      a: 'from-secret-common',
      b: 'from-plain',
      c: 'from-secret-staging',
      d: 'from-generated',
      e: 'from-set',
    });
    expect(existsSync(values.args[5] ?? '')).toBe(false);
  });

  it('decrypts a sops file given to --set-file, and passes plain ones by path', async () => {
    const cert = await encrypted('tls.yaml', 'key: -----BEGIN PRIVATE KEY----- abcdefgh\n');
    const values = await assembleValues({ files: [], setFile: [`tls=${cert}`], cwd: dir, env });
    expect(values.args).toEqual(['--set-file', 'tls=-']);
    expect(values.channel.documents[0]?.toString()).toContain('BEGIN PRIVATE KEY');
    const rendered = await render(values);
    expect(rendered.tls).toContain('BEGIN PRIVATE KEY');
  });

  it('changes the digest when any input changes, and only then', async () => {
    const plain = join(dir, 'digest.yaml');
    writeFileSync(plain, 'x: 1\n');
    const digest = async (): Promise<string> => {
      const values = await assembleValues({ files: [ref(plain)], set: ['y=2'], cwd: dir, env });
      values.channel.dispose();
      return values.digest;
    };
    const before = await digest();
    expect(await digest()).toBe(before);
    writeFileSync(plain, 'x: 2\n');
    expect(await digest()).not.toBe(before);
  });

  it('fails in one line, naming the file, when no key can decrypt it', async () => {
    const production = {
      path: join(example, 'helm/env/secrets.production.yaml'),
      display: 'helm/env/secrets.production.yaml',
      optional: false,
    };
    const error = await assembleValues({ files: [production], cwd: example, env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'secrets-decrypt-failed', exitCode: 3 });
    expect((error as Error).message).toMatch(/^cannot decrypt helm\/env\/secrets\.production\.yaml: /);
    expect((error as Error).message).not.toContain('\n');
  });

  it('skips a missing optional file and refuses a missing required one', async () => {
    const missing = join(dir, 'nope.yaml');
    const values = await assembleValues({ files: [{ ...ref(missing), optional: true }], cwd: dir, env });
    expect(values.args).toEqual([]);
    await expect(assembleValues({ files: [ref(missing)], cwd: dir, env })).rejects.toThrow(
      /values file nope\.yaml does not exist/,
    );
  });

  it('refuses a --set that is not key=value before anything runs, and passes good ones on', async () => {
    for (const bad of ['noequals', '=1', 'a=1,b', '']) {
      await expect(assembleValues({ files: [], set: [bad], cwd: dir, env })).rejects.toMatchObject({
        code: 'set-invalid',
        exitCode: 2,
        message: `--set ${JSON.stringify(bad)} is not key=value`,
      });
    }
    await expect(assembleValues({ files: [], setString: ['x'], cwd: dir, env })).rejects.toMatchObject({
      code: 'set-invalid',
    });
    const good = await assembleValues({ files: [], set: ['a=1,b=', 'c=x\\,y'], cwd: dir, env });
    expect(good.args).toEqual(['--set', 'a=1,b=', '--set', 'c=x\\,y']);
    good.channel.dispose();
  });
});
