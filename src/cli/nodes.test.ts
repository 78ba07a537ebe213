import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-nodes-cli-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A kubeconfig whose API server refuses connections at once (port 1). */
function kubeconfig(name: string): string {
  const path = join(work, `${name}.yaml`);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${name}, cluster: {server: "https://127.0.0.1:1"}}]`,
      `users: [{name: ${name}, user: {token: t}}]`,
      `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
      `current-context: ${name}`,
    ].join('\n'),
  );
  return path;
}

describe('nodes drain', () => {
  it('reads a KUBECONFIG list as kubectl does, not as one file named a:b', async () => {
    const list = [kubeconfig('first'), kubeconfig('second')].join(delimiter);
    vi.stubEnv('KUBECONFIG', list);
    const result = await runCliInMemory(['nodes', 'drain', 'n1', '--dry-run'], { env: { KUBECONFIG: list } });
    expect(result.stderr).toBe(
      'error: reading Node n1: the API server could not be reached\n' +
        'hint: Check that the cluster is reachable (chartroom cluster status, kubectl cluster-info).\n',
    );
    expect(result.code).toBe(6);
  });
});

describe('nodes agent and watch-queue', () => {
  // Each would start polling (IMDS, SQS) with the bad value; all stop before that.
  it.each([
    [
      ['nodes', 'agent', '--node-name', 'n1', '--poll-interval', '0s'],
      /^error: --poll-interval must be longer than 0, not "0s"\n/,
    ],
    [
      ['nodes', 'agent', '--node-name', 'n1', '--retry-interval', '0ms'],
      /^error: --retry-interval must be longer than 0/,
    ],
    [
      ['nodes', 'agent', '--node-name', 'n1', '--imds-endpoint', 'notaurl'],
      /^error: the IMDS endpoint must be an http:\/\/ URL, not "notaurl"\n/,
    ],
    [
      ['nodes', 'watch-queue', '--queue-url', 'https://sqs.example/q', '--heartbeat-interval', '0s'],
      /^error: --heartbeat-interval must be longer than 0/,
    ],
  ])('refuses %j', async (args, error) => {
    const result = await runCliInMemory(args, {
      env: { KUBECONFIG: kubeconfig('agent') },
      signal: AbortSignal.timeout(10_000),
    });
    expect(result.stderr).toMatch(error);
    expect(result.stderr).toMatch(/\nhint: /);
    expect(result.code).toBe(2);
  });
});
