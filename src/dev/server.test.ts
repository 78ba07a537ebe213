import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, loadServerConfig, type ChartroomServer } from '../server/index.js';
import { createDevServerPlugin, parseDevSettings } from './server.js';

describe('dev in chartroom serve', () => {
  let dir: string | undefined;
  let server: ChartroomServer | undefined;
  afterEach(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('stays idle without a dev: section: no sweeper, no cluster needed, the page says how to turn it on', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chartroom-dev-server-'));
    // A kubeconfig that does not exist: any attempt to reach a cluster would fail.
    const config = loadServerConfig(undefined, { listen: '127.0.0.1:0', dataDir: dir });
    config.kubeconfig = join(dir, 'missing-kubeconfig');
    server = await buildServer({ config, plugins: [createDevServerPlugin()], logStream: false });
    const url = await server.listen();
    const page = await (await fetch(`${url}/dev`)).text();
    expect(page).toContain('The dev sweeper is not configured on this server');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).not.toContain('chartroom_dev_sweep_failures_total 1');
  });

  it('reads durations and refuses unknown settings with the field at fault', () => {
    expect(parseDevSettings({ sweepInterval: '1m', namespaces: ['shop'] })).toEqual({
      sweepIntervalMs: 60_000,
      graceMs: 10_000,
      namespaces: ['shop'],
    });
    expect(() => parseDevSettings({ sweepInterval: 'soon' })).toThrow(
      /dev: sweepInterval: must be a duration/,
    );
    expect(() => parseDevSettings({ sweeps: 1 })).toThrow(/dev: /);
  });
});
