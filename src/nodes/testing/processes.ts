/**
 * The real amazon-ec2-metadata-mock on a free loopback port for the nodes tests, and temp files.
 * Test support only (moto and the process plumbing are in src/testing).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPeerProcess, type PeerProcess } from '../../testing/peer-process.js';

export interface AemmOptions {
  /** The subcommand and its flags, e.g. ['spot', '-a', 'terminate'] (none: every notice at once). */
  args?: string[];
  /** IMDSv2 only: requests without a session token get 401. */
  imdsv2Only?: boolean;
  instanceId?: string;
  /** Extra config-file content (merged over the instance id). */
  config?: Record<string, unknown>;
}

/** The real amazon-ec2-metadata-mock, bound to 127.0.0.1 on a free port. */
export async function startAemm(options: AemmOptions = {}): Promise<PeerProcess> {
  // AEMM reads and may write config under $HOME: give it a throwaway one.
  const home = mkdtempSync(join(tmpdir(), 'chartroom-aemm-'));
  const config = join(home, 'aemm-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...(options.instanceId === undefined
        ? {}
        : { metadata: { values: { 'instance-id': options.instanceId } } }),
      ...options.config,
    }),
  );
  return startPeerProcess({
    peer: 'ec2-metadata-mock',
    args: (port) => [
      '-n',
      '127.0.0.1',
      '-p',
      String(port),
      '-c',
      config,
      ...(options.imdsv2Only === true ? ['-I'] : []),
      ...(options.args ?? []),
    ],
    cwd: home,
    env: { ...process.env, HOME: home },
    // 401 is an answer too: an IMDSv2-only mock refuses requests without a session token.
    ready: async (url) => [200, 401].includes((await fetch(`${url}/latest/meta-data/instance-id`)).status),
    cleanup: () => {
      rmSync(home, { recursive: true, force: true });
    },
  });
}

export function writeTempFile(name: string, content: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-nodes-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return {
    path,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
