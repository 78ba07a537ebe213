import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../core/errors.js';
import { installPostReceiveHook } from './hook.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-hook-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A bare repository as git lays it out: HEAD and hooks/ at the top. */
function bareRepo(name: string): string {
  const repo = join(work, name);
  mkdirSync(join(repo, 'hooks'), { recursive: true });
  writeFileSync(join(repo, 'HEAD'), 'ref: refs/heads/main\n');
  return repo;
}

function secretFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

const url = 'http://127.0.0.1:8080/previews/webhooks/post-receive';

describe('previews hook install', () => {
  it('refuses a secret file that is a folder or empty, leaving no hook behind', () => {
    const repo = bareRepo('refuses');
    const folder = join(work, 'secret-folder');
    mkdirSync(folder, { mode: 0o700 });
    chmodSync(folder, 0o700);
    expect(() => installPostReceiveHook({ repo, url, secretFile: folder, name: 'web' })).toThrow(
      `${folder} is not a file`,
    );
    const empty = secretFile('empty-secret', '\n');
    expect(() => installPostReceiveHook({ repo, url, secretFile: empty, name: 'web' })).toThrow(
      `${empty} is empty`,
    );
    expect(() => readFileSync(join(repo, 'hooks', 'post-receive'))).toThrow();
  });

  it("keeps someone else's post-receive hook, and replaces its own", () => {
    const repo = bareRepo('existing');
    const theirs = '#!/bin/sh\necho deploy-to-mirror\n';
    writeFileSync(join(repo, 'hooks', 'post-receive'), theirs);
    const secret = secretFile('secret', 's3cret\n');
    expect(() => installPostReceiveHook({ repo, url, secretFile: secret, name: 'web' })).toThrow(
      expect.objectContaining({ code: 'hook-exists', exitCode: ExitCode.conflict }),
    );
    expect(readFileSync(join(repo, 'hooks', 'post-receive'), 'utf8')).toBe(theirs);

    rmSync(join(repo, 'hooks', 'post-receive'));
    const hook = installPostReceiveHook({ repo, url, secretFile: secret, name: 'web' });
    expect(installPostReceiveHook({ repo, url: `${url}?again`, secretFile: secret, name: 'web' })).toBe(hook);
    expect(readFileSync(join(repo, 'hooks', 'chartroom-post-receive.mjs'), 'utf8')).toContain('?again');
  });
});
