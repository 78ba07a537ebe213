import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, loadServerConfig, type ChartroomServer } from '../server/index.js';
import { runtimeServerPlugin } from './index.js';
import { falcoFixture } from './testing/fixtures.js';

describe('runtime in chartroom serve', () => {
  let dir: string;
  let server: ChartroomServer;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chartroom-runtime-server-'));
    await writeFile(join(dir, 'token'), 's3cret\n');
    const config = loadServerConfig(undefined, { listen: '127.0.0.1:0', dataDir: dir });
    config.sections.runtime = {
      rules: [falcoFixture('rules/k8s_audit_rules.yaml')],
      tokenFile: join(dir, 'token'),
    };
    config.baseDir = dir;
    server = await buildServer({ config, plugins: [await runtimeServerPlugin()], logStream: false });
    url = await server.listen();
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json' },
      body,
    });

  it('takes audit events and Falco alerts, and shows alerts by rule on the dashboard', async () => {
    const trace = (name: string) =>
      readFileSync(falcoFixture('legacy-suite/trace_files/k8s_audit', `${name}.json`), 'utf8');
    expect((await post('/k8s-audit', trace('create_nginx_pod_privileged'))).status).toBe(200);
    expect((await post('/k8s-audit', trace('exec_pod'))).status).toBe(200);
    expect((await post('/k8s-audit', trace('exec_pod'))).status).toBe(200);
    const falco = `{"output":"x: Notice A shell (proc.name=bash)","priority":"Notice","rule":"Terminal shell in container","time":"${new Date().toISOString()}","output_fields":{"proc.name":"bash"},"hostname":"node-3","source":"syscall"}`;
    expect((await post('/', falco)).status).toBe(200);
    expect(
      (
        await fetch(`${url}/k8s-audit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(401);

    const stats = (await (await fetch(`${url}/runtime/stats`)).json()) as {
      events: number;
      chartroomAlerts: number;
      falcoAlerts: number;
    };
    expect(stats).toMatchObject({ events: 3, chartroomAlerts: 3, falcoAlerts: 1 });

    // The audit traces are from 2018: look at a window that includes them, then at the last day.
    // The store sink writes in batches (every 250 ms): wait for the batch.
    let page = '';
    for (let i = 0; i < 100 && !page.includes('Terminal shell in container'); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      page = await (await fetch(`${url}/runtime?window=30d`)).text();
    }
    expect(page).toContain('Alerts by rule, last 30d (1)');
    expect(page).toContain('Terminal shell in container');
    expect(page).toContain('Falco node-3');
    const filtered = await (await fetch(`${url}/runtime?window=24h&origin=falco&priority=notice`)).text();
    expect(filtered).toContain('A shell (proc.name=bash)');
  });
});
