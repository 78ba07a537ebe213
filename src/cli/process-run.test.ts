import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'chartroom-process-run-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command and closes its stdout after the first chunk, as `| head -1` does. */
function firstChunkOnly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, args, {
    cwd: repo,
    env: { PATH: process.env.PATH, SOPS_AGE_KEY_FILE: join(repo, 'examples/webapp/demo-age-key.txt') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  return new Promise((done) =>
    child.on('close', (code) => {
      done({ code, stderr });
    }),
  );
}

describe('a reader that goes away', () => {
  // ~400 KB of output: far more than a pipe holds, so writes go on after the reader left.
  const big = join(work, 'big.yaml');
  writeFileSync(
    big,
    Array.from({ length: 3000 }, (_, i) => `key${String(i)}: value ${String(i)}\n`).join(''),
  );
  const encrypt = [
    'secrets',
    'encrypt',
    '--age',
    'age1hdvuqla0ccqepjkwyf7xqqw7zssh22n44pfr9hexz38e3ktgrf5qfe7p2v',
    big,
  ];

  it.each([
    ['the full CLI', ['--import', 'tsx', 'src/cli/main.ts', ...encrypt]],
    ['the launcher and its secrets bundle', ['bin/chartroom.js', ...encrypt]],
  ])('stops %s quietly with 141, as sops does, not with a stack trace', async (_name, args) => {
    const result = await firstChunkOnly(args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
  });
});
