import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, UsageError } from '../../core/errors.js';
import { loadAppConfig, parseAppConfig, resolveEnvironment } from './load.js';

const example = resolve(import.meta.dirname, '../../../examples/webapp');
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function talkLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartroom-app-'));
  temps.push(dir);
  mkdirSync(join(dir, 'helm', 'env'), { recursive: true });
  mkdirSync(join(dir, 'helm', 'cart'), { recursive: true });
  writeFileSync(join(dir, 'helm', 'cart', 'Chart.yaml'), 'apiVersion: v2\nname: cart\nversion: 1.2.3\n');
  for (const file of ['production.yaml', 'staging.yaml', 'secrets.production.yaml', 'secrets.staging.yaml']) {
    writeFileSync(join(dir, 'helm', 'env', file), 'a: 1\n');
  }
  return dir;
}

describe('chartroom.yaml', () => {
  it('loads the example app and keeps the talk’s values order (secrets first)', async () => {
    const app = await loadAppConfig(example);
    expect(app.name).toBe('webapp');
    expect(app.chart).toBe(join(example, 'helm', 'webapp'));
    expect(app.dependencies.map((d) => d.service)).toEqual(['postgres', 'redis']);
    const staging = resolveEnvironment(app, 'staging');
    expect(staging).toMatchObject({
      namespace: 'webapp-staging',
      release: 'webapp',
      timeout: '10m',
      timeoutMs: 600_000,
      atomic: false,
    });
    expect(staging.values.map((v) => v.display)).toEqual([
      'helm/env/secrets.staging.yaml',
      'helm/env/staging.yaml',
    ]);
    expect(resolveEnvironment(app, 'production').atomic).toBe(true);
  });

  it('lets flags override the file', async () => {
    const app = await loadAppConfig(example);
    const target = resolveEnvironment(app, 'staging', {
      namespace: 'devopsstage',
      release: 'webapp-pr-7',
      timeout: '90s',
      atomic: true,
    });
    expect(target).toMatchObject({
      namespace: 'devopsstage',
      release: 'webapp-pr-7',
      timeoutMs: 90_000,
      atomic: true,
    });
  });

  it('names an unknown environment and lists the known ones', async () => {
    const app = await loadAppConfig(example);
    expect(() => resolveEnvironment(app, 'qa')).toThrow(UsageError);
    try {
      resolveEnvironment(app, 'qa');
    } catch (error) {
      expect((error as UsageError).hint).toBe('Known environments: staging, production.');
    }
  });

  it('refuses names Kubernetes and Helm would refuse', async () => {
    const app = await loadAppConfig(example);
    expect(() => resolveEnvironment(app, 'staging', { namespace: 'Bad_NS' })).toThrow(
      /--namespace "Bad_NS": must be a DNS label/,
    );
    expect(() => resolveEnvironment(app, 'staging', { release: 'x'.repeat(54) })).toThrow(/at most 53/);
  });

  it('reports a schema error with its file and line', () => {
    const text = [
      'name: webapp',
      'environments:',
      '  staging:',
      '    namespace: Not-Valid',
      '    timeout: 600',
    ].join('\n');
    expect(() => parseAppConfig(text, 'chartroom.yaml')).toThrow(ConfigError);
    expect(() => parseAppConfig(text, 'chartroom.yaml')).toThrow(
      /^chartroom\.yaml:4: environments\.staging\.namespace: must be a DNS label/,
    );
    const timeout = [
      'name: webapp',
      'environments:',
      '  staging:',
      '    namespace: ok',
      '    timeout: "600"',
    ].join('\n');
    expect(() => parseAppConfig(timeout, 'chartroom.yaml')).toThrow(
      /chartroom\.yaml:5: environments\.staging\.timeout: must be a Go duration/,
    );
    expect(() => parseAppConfig('name: webapp\nenvironments: {}\nextra: 1\n', 'c.yaml')).toThrow(/c\.yaml/);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parseAppConfig('name: webapp\nenvironments:\n  staging: [\n', 'chartroom.yaml')).toThrow(
      /^chartroom\.yaml:\d+: /,
    );
  });

  it('infers the talk’s layout when there is no chartroom.yaml, but needs a namespace', async () => {
    const dir = talkLayout();
    const app = await loadAppConfig(dir);
    expect(app.file).toBeUndefined();
    expect(app.name).toBe('cart');
    expect(Object.keys(app.environments).sort()).toEqual(['production', 'staging']);
    expect(() => resolveEnvironment(app, 'staging')).toThrow(/no namespace for environment staging/);
    const target = resolveEnvironment(app, 'production', { namespace: 'cart' });
    expect(target.values.map((v) => [v.display, v.optional])).toEqual([
      ['helm/env/secrets.production.yaml', true],
      ['helm/env/production.yaml', false],
    ]);
  });

  it('says what is missing when the folder is not an app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chartroom-empty-'));
    temps.push(dir);
    await expect(loadAppConfig(dir)).rejects.toThrow(NotFoundError);
    await expect(loadAppConfig(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    writeFileSync(join(dir, 'chartroom.yaml'), 'name: web\n');
    await expect(loadAppConfig(join(dir, 'chartroom.yaml'))).rejects.toThrow(
      `app folder ${join(dir, 'chartroom.yaml')} is a file, not a folder`,
    );
  });
});
