import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { checkPolicy } from '../index.js';

const helmDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'chart', 'helm');

async function renderAndCheck(env: string) {
  return checkPolicy({
    paths: [],
    cwd: helmDir,
    chart: { dir: 'some-service', env },
    config: resolveConfig(),
  });
}

const checksOf = (report: Awaited<ReturnType<typeof renderAndCheck>>): string[] =>
  [...new Set(report.findings.map((f) => f.check))].sort();

describe('checking a chart rendered by the real helm template', () => {
  it("renders with the environment's values (and its encrypted secrets file) and points at the template", async () => {
    const production = await renderAndCheck('production');
    expect(production.objects).toEqual([
      {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'some-service' },
        source: { file: 'some-service/templates/deployment.yaml', line: 1 },
      },
    ]);
    expect(checksOf(production)).toContain('secret-in-env');
    expect(checksOf(production)).not.toContain('rolling-update-bounds');
    expect(checksOf(production)).not.toContain('slow-start-without-startup-probe');

    const staging = await renderAndCheck('staging');
    expect(checksOf(staging)).toEqual(
      expect.arrayContaining(['rolling-update-bounds', 'slow-start-without-startup-probe']),
    );
  });

  it('names the missing values file when the environment has none', async () => {
    await expect(renderAndCheck('qa')).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('no values for environment "qa"') as unknown,
    });
  });

  it('says so when --chart is not a chart', async () => {
    await expect(checkPolicy({ paths: [], cwd: helmDir, chart: { dir: 'env' } })).rejects.toMatchObject({
      code: 'not-found',
      message: 'env is not a Helm chart (no Chart.yaml)',
    });
  });

  it("reports helm's own error as a peer failure", async () => {
    const broken = checkPolicy({
      paths: [],
      cwd: helmDir,
      chart: {
        dir: 'some-service',
        values: () => Promise.resolve({ files: [join(helmDir, 'env', 'missing.yaml')] }),
      },
      config: resolveConfig(),
    });
    await expect(broken).rejects.toMatchObject({
      code: 'policy-render-failed',
      exitCode: 5,
      message: expect.stringMatching(/^helm template failed: .*missing\.yaml/) as unknown,
    });
  });

  it('skips chart folders met while walking manifests, with a note', async () => {
    const notes: string[] = [];
    const report = await checkPolicy({
      paths: ['.'],
      cwd: helmDir,
      onNote: (n) => notes.push(n),
      config: resolveConfig(),
    });
    expect(notes).toEqual(['skipped some-service: it is a Helm chart; check it rendered with --chart']);
    // env/*.yaml are values files, not objects: nothing with a kind is read from them.
    expect(report.objects.filter((o) => o.object.kind !== '')).toEqual([]);
  });
});
