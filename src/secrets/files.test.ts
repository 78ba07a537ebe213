import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './files.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-secrets-files-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('writeFileAtomic (secrets)', () => {
  it('names the output file, not its temp file, and keeps sops’s exit code 3', async () => {
    const missing = join(work, 'no-such-folder', 'out.yaml');
    await expect(writeFileAtomic(missing, Buffer.from('x'))).rejects.toMatchObject({
      message: `Could not write ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      exitCode: 3,
    });
    const folder = join(work, 'a-folder');
    mkdirSync(folder);
    await expect(writeFileAtomic(folder, Buffer.from('x'))).rejects.toMatchObject({
      message: `Could not write ${folder}: EISDIR: illegal operation on a directory, rename '${folder}'`,
    });
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
