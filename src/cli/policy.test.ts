import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInMemory } from '../testing/cli.js';

const work = mkdtempSync(join(tmpdir(), 'chartroom-policy-cli-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('policy check --kubernetes-version', () => {
  it('refuses a version that is not one (with it, no apiVersion was reported as deprecated or removed)', async () => {
    const manifest = join(work, 'hpa.yaml');
    writeFileSync(
      manifest,
      'apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {}\n',
    );
    const result = await runCliInMemory(['policy', 'check', '--kubernetes-version', 'banana', manifest]);
    expect(result.stderr).toBe(
      'error: --kubernetes-version must look like 1.36, not "banana"\nhint: e.g. --kubernetes-version 1.33\n',
    );
    expect(result.code).toBe(2);
  });
});
