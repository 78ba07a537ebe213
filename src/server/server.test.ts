import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../core/net.js';
import { startPostgres, type TestPostgres } from '../testing/postgres.js';
import { runChartroom } from '../testing/run.js';
import { buildServer, loadServerConfig, type ServerPlugin } from './index.js';
import { html } from './dashboard/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-server-'));
  dirs.push(dir);
  return dir;
}

let markSlowArrived: () => void = () => undefined;
const slowArrived = new Promise<void>((resolve) => {
  markSlowArrived = resolve;
});

const probe: ServerPlugin = {
  name: 'probe',
  migrations: [
    { id: 'probe-001', sql: 'CREATE TABLE probe_notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)' },
  ],
  register(app, context) {
    app.post('/probe/echo', async (request) => {
      await context.store.run('INSERT INTO probe_notes (id, body) VALUES ($1, $2)', [
        String(Date.now()),
        'x',
      ]);
      return { raw: request.rawBody?.toString('utf8'), parsed: request.body };
    });
    app.get('/probe/slow', async () => {
      markSlowArrived();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { done: true };
    });
  },
  dashboard: () => [
    {
      path: '/probe',
      title: 'Probe',
      render: ({ query }) =>
        Promise.resolve(
          html`<h1>Probe</h1>
            <p id="q">${query.name ?? ''}</p>`.value,
        ),
    },
  ],
};

async function serve(extra: Record<string, string> = {}) {
  const port = await freePort();
  const config = loadServerConfig(undefined, { listen: `127.0.0.1:${port}`, dataDir: tempDir(), ...extra });
  const server = await buildServer({ config, plugins: [probe], logStream: false });
  const url = await server.listen();
  return { server, url };
}

describe('chartroom serve', () => {
  it('with port 0, links to the port it really listens on', async () => {
    const config = loadServerConfig(undefined, { listen: '127.0.0.1:0', dataDir: tempDir() });
    const server = await buildServer({ config, plugins: [probe], logStream: false });
    try {
      const url = await server.listen();
      expect(server.context.publicUrl).not.toMatch(/:0$/);
      expect(url).toBe(server.context.publicUrl);
      expect((await fetch(`${server.context.publicUrl}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers /healthz and /metrics in Prometheus format', async () => {
    const { server, url } = await serve();
    try {
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', store: 'sqlite' });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP chartroom_http_requests_total /m);
      expect(metrics).toMatch(
        /chartroom_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
      );
      expect(metrics).toMatch(/^chartroom_process_cpu_user_seconds_total /m);
    } finally {
      await server.close();
    }
  });

  it('keeps the raw body of JSON requests for signature checks, and rejects bad JSON with 400', async () => {
    const { server, url } = await serve();
    try {
      const body = '{"b": 1,  "a":[2]}';
      const response = await fetch(`${url}/probe/echo`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(await response.json()).toEqual({ raw: body, parsed: { b: 1, a: [2] } });
      const bad = await fetch(`${url}/probe/echo`, {
        method: 'POST',
        body: '{nope',
        headers: { 'content-type': 'application/json' },
      });
      expect(bad.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('renders dashboard pages in the layout, escaping user data', async () => {
    const { server, url } = await serve();
    try {
      const response = await fetch(`${url}/probe?name=${encodeURIComponent('<script>alert(1)</script>')}`);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      const page = await response.text();
      expect(page).toMatch(/<nav>\s*<a href="\/probe" class="current">Probe<\/a>\s*<\/nav>/);
      expect(page).toContain('<p id="q">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(page).not.toContain('<script>alert');
      const root = await fetch(`${url}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/probe');
    } finally {
      await server.close();
    }
  });

  it('finishes an in-flight request when closed', async () => {
    const { server, url } = await serve();
    const slow = fetch(`${url}/probe/slow`);
    await slowArrived;
    const closing = server.close();
    const response = await slow;
    expect(await response.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  describe('on PostgreSQL', () => {
    let postgres: TestPostgres | undefined;
    afterAll(async () => {
      await postgres?.stop();
    });
    it('migrates and serves with --database postgres://…', async () => {
      postgres = await startPostgres();
      const { server, url } = await serve({ database: postgres.url });
      try {
        expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', store: 'postgres' });
        const response = await fetch(`${url}/probe/echo`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        expect(response.status).toBe(200);
        const rows = await server.context.store.all('SELECT id FROM probe_notes');
        expect(rows).toHaveLength(1);
      } finally {
        await server.close();
      }
    });
  });
});

describe('the serve command', () => {
  it('writes JSON logs, serves, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    let health: Response | undefined;
    while (health === undefined && Date.now() < deadline) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(health?.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.some((line) => line.msg.startsWith('Server listening at'))).toBe(true);
  });

  it('refuses an invalid config with the field at fault', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'bad.yaml'), 'listen: 8080\npublicUrl: not a url\n');
    const result = await runChartroom(['serve', '--config', join(dir, 'bad.yaml')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: .*bad\.yaml: publicUrl: /m);
  });

  it('refuses a config file that is not a mapping, and says why a file cannot be read', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from(')aX\u00ff\u00fe not yaml settings'));
    writeFileSync(join(dir, 'list.yaml'), '- listen: 8080\n');
    expect(() => loadServerConfig(join(dir, 'garbage.bin'))).toThrow(
      /garbage\.bin: expected a mapping of settings .*, found a string$/,
    );
    expect(() => loadServerConfig(join(dir, 'list.yaml'))).toThrow(/found a list$/);
    expect(() => loadServerConfig(dir)).toThrow(`cannot read ${dir}: it is a folder`);
    expect(() => loadServerConfig(join(dir, 'missing.yaml'))).toThrow(': no such file');
  });
});
