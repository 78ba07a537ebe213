import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { runHelm } from './process.js';

/**
 * A stand-in for the helm binary (these tests are about how Chartroom runs a process, not about
 * Helm): a shell script that, like Go, dies of SIGPIPE when it writes into a broken stdout.
 */
const root = mkdtempSync(join(tmpdir(), 'chartroom-helm-process-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeHelm(script: string): NodeJS.ProcessEnv {
  const cache = mkdtempSync(join(root, 'cache-'));
  mkdirSync(join(cache, 'peers', 'bin'), { recursive: true });
  const helm = join(cache, 'peers', 'bin', 'helm');
  writeFileSync(helm, `#!/bin/bash\n${script}\n`);
  chmodSync(helm, 0o755);
  return { PATH: process.env.PATH, CHARTROOM_CACHE: cache };
}

/** Children of this process that are still running `tee` (the relays must not outlive Helm). */
function teeChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return stat.includes('(tee)') && fields[1] === String(process.pid) && fields[0] !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('running helm', () => {
  it('keeps its errors and the known stdout lines, not the rest of stdout, and waits for the last line', async () => {
    const env = fakeHelm(
      [
        'echo "NOTES: the password is hunter2"',
        'echo \'Release "webapp" does not exist. Installing it now.\'',
        'echo "Error: UPGRADE FAILED: boom" >&2',
        // The last line comes after a pause, so it is still in flight through the relay when
        // the process is reaped.
        'sleep 0.2; echo "last words" >&2',
        'exit 3',
      ].join('\n'),
    );
    const exit = await runHelm({ args: ['upgrade'], env, redact: (text) => text.replace('boom', '***') });
    expect(exit.code).toBe(3);
    // stdout and stderr are two pipes: their lines interleave in no fixed order.
    expect([...exit.stderr].sort()).toEqual([
      'Error: UPGRADE FAILED: ***',
      'Release "webapp" does not exist. Installing it now.',
      'last words',
    ]);
    expect(exit.stderr.at(-1)).toBe('last words');
    expect(exit.stderr.join('\n')).not.toContain('hunter2');
    // The relays exit right after they pass on Helm's last byte (a moment after we read it).
    const deadline = Date.now() + 5000;
    while (teeChildren().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(teeChildren()).toEqual([]);
  });

  it('lets helm finish writing after Chartroom is SIGKILLed, so it can record the cancel', async () => {
    const marker = join(root, 'cancel-recorded');
    // On SIGTERM (the kernel's, from the dead parent), wait until that parent's pipe ends are
    // surely closed, then print as Helm does and only then "record" the failure.
    const env = fakeHelm(
      [
        `trap 'sleep 0.5; echo "Release webapp has been cancelled"; echo recorded > ${marker}; exit 1' TERM`,
        'echo started >&2',
        'while :; do sleep 0.1; done',
      ].join('\n'),
    );
    const source = resolve(import.meta.dirname, 'process.ts');
    const driver = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startHelm } = await import(${JSON.stringify(source)});
         const helm = startHelm({ args: ['upgrade'], env: JSON.parse(process.env.HELM_ENV), onLine: (l) => console.log(l) });
         setInterval(() => undefined, 1000);`,
      ],
      { env: { ...process.env, HELM_ENV: JSON.stringify(env) }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: driver.stdout });
    await new Promise<void>((done) => {
      lines.on('line', (line) => {
        if (line === 'started') done();
      });
    });
    driver.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(marker), 'helm died before it could record the cancel').toBe(true);
  });
});
