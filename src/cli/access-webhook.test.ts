import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../core/net.js';
import { runCliInMemory } from '../testing/cli.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-access-webhook-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

describe('access webhook --write-kubeconfig', () => {
  it('in a missing folder: says which file, and stops the server it had started', async () => {
    const port = await freePort();
    const target = join(work, 'no-such-folder', 'webhook.kubeconfig');
    const stop = AbortSignal.timeout(20_000);
    const args = ['access', 'webhook', '-i', 'c1', '--listen', `127.0.0.1:${port}`];
    const result = await runCliInMemory(
      [...args, '--state-dir', join(work, 'state'), '--write-kubeconfig', target],
      {
        signal: stop,
      },
    );
    expect(result.stderr).toContain(`error: no such file or directory: ${target}\n`);
    expect(result.code).toBe(4);
    expect(stop.aborted).toBe(false);
    expect(await listening(port)).toBe(false);
    expect(readdirSync(work).sort()).toEqual(['state']);
  });

  it('refuses a --client-ca without a certificate instead of serving and refusing every client', async () => {
    const port = await freePort();
    const ca = join(work, 'not-a-ca.pem');
    writeFileSync(ca, 'not a certificate\n');
    const stop = AbortSignal.timeout(20_000);
    const args = ['access', 'webhook', '-i', 'c1', '--listen', `127.0.0.1:${port}`, '--client-ca', ca];
    const result = await runCliInMemory([...args, '--state-dir', join(work, 'state')], { signal: stop });
    expect(result.stderr).toContain(`error: ${ca} holds no PEM certificate\n`);
    expect(result.code).toBe(3);
    expect(stop.aborted).toBe(false);
  });
});
