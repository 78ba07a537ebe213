import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';
import { fixtureEnv } from './testing.js';

const recipient = 'age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr'; // sops-age/key.txt
const work = mkdtempSync(join(tmpdir(), 'chartroom-secrets-indent-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const secrets = (...args: string[]) => runCliInMemory(['secrets', ...args], { env: fixtureEnv(), cwd: work });

// sops 3.13 checked by hand: each of these exits 4 with the same message and writes nothing.
describe('a negative --indent', () => {
  it('fails every command that dumps a tree as sops does (exit 4), leaving the file as it was', async () => {
    const plain = join(work, 'app.yaml');
    writeFileSync(plain, 'password: hunter2\n');
    expect(await secrets('--indent', '-3', 'encrypt', '--age', recipient, plain)).toMatchObject({
      code: 4,
      stderr: 'error: Could not marshal tree: YAML Negative indentation not accepted\n',
    });
    expect((await secrets('encrypt', '-i', '--age', recipient, plain)).code).toBe(0);
    const encrypted = readFileSync(plain);
    expect(await secrets('--indent', '-3', 'decrypt', plain)).toMatchObject({
      code: 4,
      stderr: 'error: Error dumping file: YAML Negative indentation not accepted\n',
    });
    expect(await secrets('--indent', '-3', 'decrypt', '--output-type', 'json', plain)).toMatchObject({
      code: 4,
      stderr: 'error: Error dumping file: JSON Indentation parameter smaller than -1 is not accepted\n',
    });
    for (const command of [
      ['set', plain, '["a"]', '"x"'],
      ['unset', plain, '["password"]'],
      ['rotate', '-i', plain],
    ]) {
      expect(await secrets('--indent', '-3', ...command)).toMatchObject({
        code: 4,
        stderr: 'error: Could not marshal tree: YAML Negative indentation not accepted\n',
      });
    }
    expect(readFileSync(plain).equals(encrypted)).toBe(true);
  });
});
