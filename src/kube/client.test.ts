import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../core/errors.js';
import { KubeClient } from './client.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-kube-client-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function failure(options: Parameters<typeof KubeClient.load>[0]): unknown {
  try {
    KubeClient.load(options);
  } catch (error) {
    return error;
  }
  throw new Error('KubeClient.load did not fail');
}

describe('KubeClient.load with a bad kubeconfig', () => {
  it('names a missing file as not found, not as an unreachable cluster', () => {
    const missing = join(work, 'missing.yaml');
    expect(failure({ kubeconfig: missing })).toMatchObject({
      message: `no kubeconfig at ${missing}`,
      exitCode: ExitCode.notFound,
    });
  });

  it('says a folder is a folder', () => {
    expect(failure({ kubeconfig: work })).toMatchObject({
      message: `${work} is a folder, not a kubeconfig`,
      exitCode: ExitCode.usage,
    });
  });

  it('reports binary garbage as an invalid kubeconfig in one line', () => {
    const garbage = join(work, 'garbage');
    writeFileSync(garbage, Buffer.from([0x29, 0x61, 0x00, 0xff, 0x0a, 0x00, 0x01, 0x0a, 0x3a]));
    const error = failure({ kubeconfig: garbage }) as Error;
    expect(error).toMatchObject({ code: 'config-invalid', exitCode: ExitCode.config });
    expect(error.message).toMatch(new RegExp(`^${garbage} is not a valid kubeconfig: `));
    expect(error.message).not.toContain('\n');
  });

  it('without KUBECONFIG or ~/.kube/config says so instead of trying http://localhost:8080', () => {
    vi.stubEnv('KUBECONFIG', '');
    vi.stubEnv('HOME', work);
    expect(failure({})).toMatchObject({
      message:
        'no cluster to talk to: no kubeconfig (KUBECONFIG is not set and ~/.kube/config does not exist)',
      exitCode: ExitCode.config,
    });
  });

  it('still loads a good kubeconfig', () => {
    const good = join(work, 'good.yaml');
    writeFileSync(
      good,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    expect(KubeClient.load({ kubeconfig: good }).server).toBe('https://127.0.0.1:6443');
  });
});
