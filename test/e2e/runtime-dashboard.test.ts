/**
 * The runtime page of `chartroom serve`'s dashboard in a real browser (Debian's chromium through
 * playwright-core): audit events of Falco's trace files (re-timed to the last hours) and a Falco
 * agent's alert come in over the authenticated intake; the page counts alerts by rule over the
 * chosen window (the talk's table), a click on a rule narrows the alert stream to it, and the
 * origin filter separates Falco agents from Chartroom's rules. Screenshots go to
 * test-artifacts/runtime/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPeer } from '../../src/core/peers.js';
import { runtimeServerPlugin } from '../../src/runtime/index.js';
import { buildServer, loadServerConfig, type ChartroomServer } from '../../src/server/index.js';

const repo = resolve(import.meta.dirname, '../..');
const falco = resolve(repo, '../shared/fixtures/falco');
const artifacts = join(repo, 'test-artifacts', 'runtime');
const token = 'e2e-runtime-dashboard-token';
const dir = mkdtempSync(join(tmpdir(), 'chartroom-runtime-dashboard-'));
let server: ChartroomServer;
let url: string;
let browser: Browser;

/** A trace file's events, with their times moved to `minutesAgo` before now. */
function trace(name: string, minutesAgo: number): string {
  const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const events = readFileSync(join(falco, 'legacy-suite/trace_files/k8s_audit', `${name}.json`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ({
      ...(JSON.parse(line) as Record<string, unknown>),
      requestReceivedTimestamp: at,
      stageTimestamp: at,
    }));
  return JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events });
}

async function post(path: string, body: string): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  expect(response.status, await response.text()).toBe(200);
}

/** The counts table as "count rule" lines, in page order. */
async function countRows(page: Page): Promise<string[]> {
  const rows = page.locator('#counts tbody tr');
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = rows.nth(i).locator('td');
    out.push(`${await cells.nth(0).innerText()} ${await cells.nth(1).innerText()}`);
  }
  return out;
}

const streamRules = (page: Page) => page.locator('#alerts tbody tr td:nth-child(3)').allInnerTexts();

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(dir, 'token'), `${token}\n`);
  const config = loadServerConfig(undefined, { listen: '127.0.0.1:0', dataDir: dir });
  config.sections.runtime = {
    rules: [join(falco, 'rules/k8s_audit_rules.yaml')],
    tokenFile: join(dir, 'token'),
  };
  config.baseDir = dir;
  server = await buildServer({ config, plugins: [await runtimeServerPlugin()], logStream: false });
  url = await server.listen();
  const executablePath = findPeer('chromium');
  if (executablePath === undefined) throw new Error('chromium is not installed; run npm run peers');
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime dashboard in Chromium', () => {
  it('counts alerts by rule over the chosen window and filters the alert stream', async () => {
    await post('/k8s-audit', trace('create_nginx_pod_privileged', 10));
    await post('/k8s-audit', trace('exec_pod', 20));
    await post('/k8s-audit', trace('exec_pod', 30));
    // Three hours ago: inside the last day, outside the last hour.
    await post('/k8s-audit', trace('attach_cluster_admin_role', 180));
    await post(
      '/',
      JSON.stringify({
        output: '10:00:00.000000000: Notice A shell was spawned in a container (user=root shell=bash)',
        priority: 'Notice',
        rule: 'Terminal shell in container',
        time: new Date(Date.now() - 5 * 60_000).toISOString(),
        output_fields: { 'proc.name': 'bash', 'user.name': 'root' },
        hostname: 'worker-3',
        source: 'syscall',
        tags: ['container', 'shell'],
      }),
    );

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The store writes alerts in batches: reload until the last one is there.
    await expect
      .poll(
        async () => {
          await page.goto(`${url}/runtime`);
          return page.locator('h2').first().innerText();
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe('Alerts by rule, last 24h (5)');
    expect(await countRows(page)).toEqual([
      '2 Attach/Exec Pod',
      '1 Attach to cluster-admin Role',
      '1 Create Privileged Pod',
      '1 Terminal shell in container',
    ]);
    expect(await streamRules(page)).toHaveLength(5);
    await page.screenshot({ path: join(artifacts, 'counts-24h.png'), fullPage: true });

    // The last hour: the cluster-admin binding of three hours ago drops out.
    await page.selectOption('select[name=window]', '1h');
    await page.click('button[type=submit]');
    await page.waitForURL(/window=1h/);
    expect(await page.locator('h2').first().innerText()).toBe('Alerts by rule, last 1h (4)');
    expect(await countRows(page)).toEqual([
      '2 Attach/Exec Pod',
      '1 Create Privileged Pod',
      '1 Terminal shell in container',
    ]);

    // A rule's link narrows the stream to it; the table still counts every rule.
    await page.locator('#counts a', { hasText: 'Attach/Exec Pod' }).click();
    await page.waitForURL(/rule=Attach%2FExec\+Pod/);
    expect(await page.locator('h2').nth(1).innerText()).toBe('Latest alerts of Attach/Exec Pod');
    expect(await streamRules(page)).toEqual(['Attach/Exec Pod', 'Attach/Exec Pod']);
    expect(await page.locator('#alerts').innerText()).toMatch(/Attach\/Exec to pod \(user=/);
    expect(await countRows(page)).toHaveLength(3);
    await page.screenshot({ path: join(artifacts, 'rule-filter.png'), fullPage: true });

    // Only what Falco agents sent, at Notice or above.
    await page.goto(`${url}/runtime?window=24h`);
    await page.selectOption('select[name=origin]', 'falco');
    await page.selectOption('select[name=priority]', 'notice');
    await page.click('button[type=submit]');
    await page.waitForURL(/origin=falco/);
    expect(await countRows(page)).toEqual(['1 Terminal shell in container']);
    expect(await page.locator('#alerts').innerText()).toContain('Falco worker-3');

    // Text search over the alert output.
    await page.goto(`${url}/runtime?window=24h`);
    await page.fill('input[name=search]', 'privileged');
    await page.click('button[type=submit]');
    await page.waitForURL(/search=privileged/);
    expect(await streamRules(page)).toEqual(['Create Privileged Pod']);
    await page.close();
  });
});
