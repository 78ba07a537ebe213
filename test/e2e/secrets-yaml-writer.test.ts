/**
 * Chartroom's YAML writer against sops's, byte for byte. Each input is encrypted by both tools
 * twice: once with every value left in clear (`unencrypted_regex: .`, so scalar styles show)
 * and once with every comment left in clear (`unencrypted_comment_regex: .`, so comment
 * placement shows); the files must be identical once random parts are masked. Indent 4 (sops's
 * default) and 2 (`--indent 2`). Generated documents go through `sops decrypt` first, so they
 * are files as sops itself writes them (comments where sops puts them on reading).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGE, chartroom, maskRandom, peer, runProc } from './secrets-support.js';
import { generatedYaml, WRITER_CASES } from './secrets-yaml-cases.js';

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);

describe('secrets: the YAML writer matches sops byte for byte', () => {
  const root = mkdtempSync(join(tmpdir(), 'secrets-yaml-writer-'));
  const sops = peer('sops');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: root,
    SOPS_DISABLE_VERSION_CHECK: '1',
    SOPS_AGE_KEY: AGE.sopsAge.identity,
  };
  const folders = (['unencrypted_regex', 'unencrypted_comment_regex'] as const).map((rule) => {
    const dir = join(root, rule);
    mkdirSync(dir);
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - age: ${AGE.sopsAge.recipient}\n    ${rule}: "."\n`,
    );
    return dir;
  });
  let n = 0;

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Both tools encrypt `content` in both folders; returns a description of each difference. */
  async function differences(content: string, indent: string[]): Promise<string[]> {
    const out: string[] = [];
    const name = `f${++n}.yaml`;
    for (const dir of folders) {
      writeFileSync(join(dir, name), content);
      const [theirs, ours] = await Promise.all([
        runProc(sops, [...indent, 'encrypt', name], { env, cwd: dir }),
        chartroom(['secrets', ...indent, 'encrypt', name], env, dir),
      ]);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(ours.code, ours.stderr).toBe(0);
      const a = maskRandom(theirs.stdout.toString('utf8'));
      const b = maskRandom(ours.stdout);
      if (a !== b) out.push(`${dir}/${name}:\n--- sops\n${a}\n--- chartroom\n${b}`);
    }
    return out;
  }

  for (const [name, content] of Object.entries(WRITER_CASES)) {
    it(`${name} (indent 4 and 2)`, async () => {
      expect(await differences(content, [])).toEqual([]);
      expect(await differences(content, ['--indent', '2'])).toEqual([]);
    });
  }

  it(`${SEEDS.length} generated documents, as sops writes them`, async () => {
    const found: string[] = [];
    let reencrypted = 0;
    for (const seed of SEEDS) {
      const file = join(root, `seed${seed}.yaml`);
      writeFileSync(file, generatedYaml(seed));
      const enc = await runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, file], { env, cwd: root });
      expect(enc.code, `seed ${seed}: ${enc.stderr}`).toBe(0);
      writeFileSync(`${file}.enc.yaml`, enc.stdout);
      // The same tree written by both: --ignore-mac, as sops cannot verify its own files with
      // comments in sequences.
      const decrypt = ['decrypt', '--ignore-mac', `${file}.enc.yaml`];
      const [theirs, ours] = await Promise.all([
        runProc(sops, decrypt, { env, cwd: root }),
        chartroom(['secrets', ...decrypt], env, root),
      ]);
      expect(theirs.code, theirs.stderr).toBe(0);
      // sops's reader sometimes files a comment elsewhere than its writer put it, and then
      // cannot decrypt it (it prints the #ENC[…] line); Chartroom decrypts it, so the two
      // outputs differ for a reason that is not the writer's.
      const sopsLostComment = theirs.stdout.toString('utf8').includes('#ENC[AES256_GCM');
      if (!sopsLostComment && ours.stdout !== theirs.stdout.toString('utf8'))
        found.push(
          `seed ${seed} decrypted:\n--- sops\n${theirs.stdout.toString('utf8')}\n--- chartroom\n${ours.stdout}`,
        );
      // sops's output as the next input: a file as sops users have it. go-yaml sometimes writes
      // YAML it cannot read back (a `|4-` block under `- key:` is indented 2 short); those
      // files cannot be encrypted again by either tool and are left out of this second step.
      const canonical = join(root, `seed${seed}.canonical.yaml`);
      writeFileSync(canonical, theirs.stdout);
      const readable = await runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, canonical], {
        env,
        cwd: root,
      });
      if (readable.code !== 0) continue;
      reencrypted++;
      const diffs = await differences(
        theirs.stdout.toString('utf8'),
        seed % 3 === 0 ? ['--indent', '2'] : [],
      );
      found.push(...diffs.map((d) => `seed ${seed}: ${d}`));
    }
    expect(found.length, found.slice(0, 2).join('\n')).toBe(0);
    expect(reencrypted).toBeGreaterThanOrEqual(SEEDS.length - 3);
  });

  it('--extract writes single values as sops does', async () => {
    const dir = join(root, 'extract');
    mkdirSync(dir);
    const file = join(dir, 'x.yaml');
    writeFileSync(
      file,
      'map:\n    a: 1\n    b:\n        - x\n        - y: z\nlist:\n    - one\n    - - two\ntext: "line\\nnext\\n"\nquoted: "yes"\nplain: hello\nnum: 1.5\nempty: {}\nbin: !!binary aGVsbG8=\n',
    );
    const enc = await runProc(sops, ['encrypt', '--age', AGE.sopsAge.recipient, file], { env, cwd: dir });
    writeFileSync(`${file}.enc.yaml`, enc.stdout);
    for (const key of ['map', 'list', 'text', 'quoted', 'plain', 'num', 'empty', 'bin']) {
      const path = `["${key}"]`;
      const [theirs, ours] = await Promise.all([
        runProc(sops, ['decrypt', '--input-type', 'yaml', '--extract', path, `${file}.enc.yaml`], {
          env,
          cwd: dir,
        }),
        chartroom(
          ['secrets', 'decrypt', '--input-type', 'yaml', '--extract', path, `${file}.enc.yaml`],
          env,
          dir,
        ),
      ]);
      expect([key, theirs.code]).toEqual([key, 0]);
      expect([key, ours.stdout]).toEqual([key, theirs.stdout.toString('utf8')]);
    }
  });
});
