/**
 * The previews dashboard in a real browser (Debian's chromium through playwright-core): the list
 * with branch, URL, status, commit, age, expiry and last deploy; a click into a failed preview
 * shows its deploy log with the rollout diagnosis; a click into a ready one shows its timings and
 * deploy history. Screenshots go to test-artifacts/previews/.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPeer } from '../../src/core/peers.js';
import { kube } from './harness.js';
import {
  commitId,
  exampleApp,
  exampleAppConfig,
  githubPush,
  previewRows,
  repoRoot,
  startPreviewsServer,
  waitForPreview,
  type TestServer,
} from './previews-support.js';

const secret = 'e2e-dashboard-secret-0123456789abcdef';
const artifacts = join(repoRoot, 'test-artifacts', 'previews');
const brokenApp = mkdtempSync(join(tmpdir(), 'chartroom-broken-app-'));
let server: TestServer | undefined;
let browser: Browser | undefined;
let good: string;
let broken: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // The example app whose staging image cannot be pulled (the local cluster's fault annotation).
  cpSync(exampleApp, brokenApp, { recursive: true });
  appendFileSync(
    join(brokenApp, 'helm', 'env', 'staging.yaml'),
    '\npodAnnotations:\n  chartroom.dev/kwok-fault: image-pull\n',
  );
  const goodApp = exampleAppConfig();
  const badApp = exampleAppConfig({
    repo: 'acme/broken',
    source: { path: brokenApp },
    host: '{label}-{app}.{domain}',
    timeout: '3m',
  });
  good = goodApp.name as string;
  broken = badApp.name as string;
  server = await startPreviewsServer({ webhooks: { github: { secret } }, apps: [goodApp, badApp] });
  const executablePath = findPeer('chromium');
  if (executablePath === undefined) throw new Error('chromium is not installed; run npm run peers');
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
});

afterAll(async () => {
  await browser?.close();
  if (server === undefined) return;
  for (const row of await previewRows(server.url))
    if (row.status !== 'removed')
      await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name: row.namespace });
  await server.close();
  rmSync(brokenApp, { recursive: true, force: true });
});

describe('previews dashboard in Chromium', () => {
  it('lists previews and shows each one’s log, diagnosis, timings and history', async () => {
    const [srv, br] = [server, browser];
    if (srv === undefined || br === undefined) throw new Error('the server or the browser did not start');
    const ok = await githubPush({
      url: srv.url,
      secret,
      branch: 'devopsstage',
      after: commitId('dash-1'),
    });
    const bad = await githubPush({
      url: srv.url,
      secret,
      repo: 'acme/broken',
      branch: 'feature/Broken-Image',
      after: commitId('dash-2'),
    });
    const goodNs = ok.body.previews?.[0]?.namespace ?? '';
    const badNs = bad.body.previews?.[0]?.namespace ?? '';
    expect([goodNs, badNs]).toEqual([
      `${good}-devopsstage`,
      expect.stringMatching(new RegExp(`^${broken}-feature-broken-image-`)),
    ]);
    await waitForPreview(srv.url, goodNs, (row) => row.status === 'ready');
    await waitForPreview(srv.url, badNs, (row) => row.status === 'failed', 240);

    const page = await br.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${srv.url}/previews`);
    const rows = page.locator('#previews tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const goodRow = rows.filter({ hasText: 'devopsstage' });
    expect(await goodRow.locator('a.preview-url').getAttribute('href')).toBe(ok.body.previews?.[0]?.url);
    expect(await goodRow.innerText()).toMatch(/ready/);
    expect(await goodRow.innerText()).toContain(commitId('dash-1').slice(0, 7));
    expect(await goodRow.innerText()).toMatch(/in 6d|in 7d/);
    const badRow = rows.filter({ hasText: 'feature/Broken-Image' });
    expect(await badRow.innerText()).toMatch(/failed/);
    await page.screenshot({ path: join(artifacts, 'list.png'), fullPage: true });

    // Into the failed preview: the rollout diagnosis and the deploy log.
    await badRow.locator('a.preview-link').click();
    await page.waitForURL(/preview=/);
    expect(await page.locator('h1').innerText()).toContain('feature/Broken-Image');
    expect(await page.locator('#diagnosis').innerText()).toMatch(/ImagePull|ErrImagePull|pull/i);
    expect(await page.locator('#log').innerText()).toContain(
      `preview of feature/Broken-Image at ${commitId('dash-2')}`,
    );
    expect(await page.locator('#history tbody tr').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'failed-preview.png'), fullPage: true });

    // Back, and into the ready one: its timings and history, a run link that selects the run.
    await page.locator('#back').click();
    await page.waitForURL(/\/previews$/);
    await page.locator('#previews tbody tr', { hasText: 'devopsstage' }).locator('a.preview-link').click();
    await page.waitForURL(/preview=/);
    expect(await page.locator('#log').innerText()).toMatch(
      /✓ ready at http:\/\/devopsstage\.preview\.localhost/,
    );
    expect(await page.locator('#timings').innerText()).toMatch(/push → ready \d+(\.\d+)?\s?s/);
    await page.locator('#history a.run-link').first().click();
    await page.waitForURL(/run=/);
    expect(await page.locator('#run h2').innerText()).toMatch(/^Run: deploy/);
    await page.screenshot({ path: join(artifacts, 'ready-preview.png'), fullPage: true });
    await page.close();
  });
});
