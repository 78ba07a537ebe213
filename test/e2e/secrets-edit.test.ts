/**
 * `chartroom secrets edit` as a real process with a scripted $EDITOR: the plaintext lives in a
 * 0600 file in a 0700 folder that is gone afterwards on every path — success, no change (200),
 * an editor crash (201), SIGTERM (85), a second SIGTERM that forces the exit, and even SIGKILL
 * (the next run sweeps the leftover). Unchanged values keep their ciphertext; sops opens the
 * result; an invalid edit reopens the editor.
 */
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGE, chartroom, peer, runProc, spawnChartroom } from './secrets-support.js';

const PLAIN = 'db:\n    user: app\n    password: s3cr3t\ntoken: abc\n';

const EDITOR = `#!/bin/sh
f="$1"
echo "$f $(stat -c %a "$f") $(stat -c %a "$(dirname "$f")") $$" >> "$MARKER"
case "$MODE" in
  change) sed -i 's/password: s3cr3t/password: changed/' "$f" ;;
  nochange) ;;
  invalid-then-valid)
    if [ ! -e "$MARKER.once" ]; then : > "$MARKER.once"; printf 'db: [unclosed\\n' > "$f"
    else printf 'db:\\n    user: app\\n    password: fixed\\ntoken: abc\\n' > "$f"; fi ;;
  hang) exec sleep 60 ;;
  stubborn) trap '' TERM INT; while :; do sleep 0.2; done ;;
  crash) kill -SEGV $$ ;;
esac
`;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The process's exit ('exit', not 'close': an editor left behind may still hold the pipes). */
function finished(child: ChildProcess): Promise<Exit> {
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolvePromise) => {
    child.on('exit', (code, signal) => {
      // Let the last stderr chunks arrive.
      setTimeout(() => {
        resolvePromise({ code, signal, stderr: Buffer.concat(err).toString('utf8') });
      }, 50);
    });
  });
}

async function waitFor(path: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return readFileSync(path, 'utf8');
}

describe('secrets edit: $EDITOR on a private temp file, removed on every exit path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-edit-'));
  const plaintextRoot = join(dir, 'plaintext');
  const editor = join(dir, 'editor.sh');
  let n = 0;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    SOPS_DISABLE_VERSION_CHECK: '1',
    SOPS_AGE_KEY: AGE.sopsAge.identity,
    EDITOR: editor,
    CHARTROOM_SECRETS_TMPDIR: plaintextRoot,
  };

  beforeAll(() => {
    writeFileSync(editor, EDITOR);
    chmodSync(editor, 0o755);
    mkdirSync(plaintextRoot);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function encrypted(): Promise<{ file: string; marker: string; env: NodeJS.ProcessEnv }> {
    const w = join(dir, `case-${++n}`);
    mkdirSync(w);
    const file = join(w, 'secrets.yaml');
    writeFileSync(file, PLAIN);
    const r = await chartroom(['secrets', 'encrypt', '-i', '--age', AGE.sopsAge.recipient, file], base, w);
    expect(r.code, r.stderr).toBe(0);
    return { file, marker: join(w, 'marker'), env: { ...base, MARKER: join(w, 'marker') } };
  }

  const leftovers = (): string[] => readdirSync(plaintextRoot);

  it('saves an edit: only the changed value gets a new ciphertext, and sops reads it', async () => {
    const { file, marker, env } = await encrypted();
    const before = readFileSync(file, 'utf8');
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'change' }, dir);
    child.stdin?.end();
    const exit = await finished(child);
    expect(exit.code, exit.stderr).toBe(0);
    const [tempFile, fileMode, dirMode] = readFileSync(marker, 'utf8').trim().split(' ');
    expect(fileMode).toBe('600');
    expect(dirMode).toBe('700');
    expect(existsSync(tempFile ?? '')).toBe(false);
    expect(leftovers()).toEqual([]);
    const after = readFileSync(file, 'utf8');
    const enc = (t: string, key: string) => new RegExp(`${key}: (ENC\\[[^\\]]+\\])`).exec(t)?.[1];
    expect(enc(after, 'user')).toBe(enc(before, 'user'));
    expect(enc(after, 'token')).toBe(enc(before, 'token'));
    expect(enc(after, 'password')).not.toBe(enc(before, 'password'));
    const dec = await runProc(peer('sops'), ['decrypt', file], { env, cwd: dir });
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout.toString()).toBe(PLAIN.replace('s3cr3t', 'changed'));
  });

  it('exits 200 when nothing changed, leaving the file as it was', async () => {
    const { file, env } = await encrypted();
    const before = readFileSync(file, 'utf8');
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'nochange' }, dir);
    child.stdin?.end();
    const exit = await finished(child);
    expect(exit.code).toBe(200);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('reopens the editor after an edit that does not parse', async () => {
    const { file, marker, env } = await encrypted();
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'invalid-then-valid' }, dir);
    child.stdin?.end('\n');
    const exit = await finished(child);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/Could not load tree, probably due to invalid syntax/);
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(2);
    const dec = await chartroom(['secrets', 'decrypt', file], env, dir);
    expect(dec.stdout).toBe('db:\n    user: app\n    password: fixed\ntoken: abc\n');
    expect(leftovers()).toEqual([]);
  });

  it('removes the plaintext when the editor crashes (exit 201)', async () => {
    const { file, marker, env } = await encrypted();
    const before = readFileSync(file, 'utf8');
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'crash' }, dir);
    child.stdin?.end();
    const exit = await finished(child);
    expect(exit.code).toBe(201);
    expect(existsSync((await waitFor(marker)).split(' ')[0] ?? '')).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('removes the plaintext on SIGTERM (the editor is stopped too)', async () => {
    const { file, marker, env } = await encrypted();
    const before = readFileSync(file, 'utf8');
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'hang' }, dir);
    const exit = finished(child);
    const [tempFile] = (await waitFor(marker)).trim().split(' ');
    expect(existsSync(tempFile ?? '')).toBe(true);
    child.kill('SIGTERM');
    const result = await exit;
    expect(result.code).toBe(85);
    expect(existsSync(tempFile ?? '')).toBe(false);
    expect(leftovers()).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('removes the plaintext when a second SIGTERM forces the exit', async () => {
    const { marker, env, file } = await encrypted();
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'stubborn' }, dir);
    const exit = finished(child);
    const [tempFile, , , editorPid] = (await waitFor(marker)).trim().split(' ');
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const result = await exit;
    process.kill(Number(editorPid), 'SIGKILL');
    expect(result.code).toBe(130);
    expect(existsSync(tempFile ?? '')).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('after a SIGKILL, the next run removes what the killed one left', async () => {
    const { marker, env, file } = await encrypted();
    const child = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'hang' }, dir);
    const exit = finished(child);
    const [tempFile, , , editorPid] = (await waitFor(marker)).trim().split(' ');
    child.kill('SIGKILL');
    await exit;
    process.kill(Number(editorPid), 'SIGKILL');
    expect(existsSync(tempFile ?? '')).toBe(true);
    const next = spawnChartroom(['secrets', 'edit', file], { ...env, MODE: 'nochange' }, dir);
    next.stdin?.end();
    expect((await finished(next)).code).toBe(200);
    expect(existsSync(tempFile ?? '')).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
