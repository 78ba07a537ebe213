import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toChartroomError } from './errors.js';
import { writeFileAtomic } from './files.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-files-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function failure(path: string): unknown {
  try {
    writeFileAtomic(path, 'data');
  } catch (error) {
    return error;
  }
  throw new Error(`writing ${path} did not fail`);
}

describe('writeFileAtomic', () => {
  it('writes the file with its mode and leaves no temp file', () => {
    const path = join(work, 'out.txt');
    writeFileAtomic(path, 'hello', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('hello');
    expect(readdirSync(work)).toEqual(['out.txt']);
  });

  it('names the file asked for, not its temp file, when the folder is missing', () => {
    const path = join(work, 'no-such-folder', 'out.txt');
    const error = failure(path);
    expect(error).toMatchObject({ code: 'ENOENT', path });
    expect((error as Error).message).toBe(`ENOENT: no such file or directory, open '${path}'`);
    expect(toChartroomError(error).message).toBe(`no such file or directory: ${path}`);
  });

  it('names the file asked for when a folder is in its place, and removes the temp file', () => {
    const path = join(work, 'a-folder');
    mkdirSync(path);
    const error = failure(path);
    expect(error).toMatchObject({ code: 'EISDIR', path });
    expect((error as Error).message).not.toContain('.tmp');
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
