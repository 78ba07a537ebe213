/**
 * The scan acceptance test on a real image: a Debian bookworm root filesystem made with
 * debootstrap (two layers: the base with libapparmor1 and apparmor, then `dpkg --purge apparmor`),
 * as an OCI layout, as a `docker save` archive written by skopeo, and pushed with skopeo to a real
 * docker-registry on loopback behind token auth. From all three the package list must equal
 * `dpkg-query` in that root filesystem, and the findings against a DB built from the fixture
 * feeds must be exactly the expected ones.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDb, readFeedDir, scanImage, type ScanResult } from '../../src/scan/index.js';
import { ensureBookwormForms, pushToRegistry, type BookwormForms } from './scan-support/bookworm-forms.js';
import { startRegistry, type TestRegistry } from './scan-support/registry.js';

const run = promisify(execFile);
const feeds = resolve(import.meta.dirname, '../../../shared/fixtures/scan/feeds');
const work = mkdtempSync(join(tmpdir(), 'chartroom-scan-e2e-'));
const dbPath = join(work, 'vuln.db');
let forms: BookwormForms;
let registry: TestRegistry;
let reference = '';
const dockerConfig = join(work, 'docker');
let expected: { name: string; version: string; srcName: string; srcVersion: string }[] = [];

beforeAll(async () => {
  forms = await ensureBookwormForms();
  buildDb(await readFeedDir(feeds), dbPath);
  registry = await startRegistry(join(work, 'registry'));
  reference = `${registry.host}/chartroom/bookworm:12`;
  await pushToRegistry(forms, reference, registry);
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: {
        [registry.host]: {
          auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64'),
        },
      },
    }),
  );
  // The oracle: dpkg's own view of the merged root filesystem.
  const { stdout } = await run('dpkg-query', [
    `--admindir=${join(forms.rootfs, 'var/lib/dpkg')}`,
    '-W',
    '-f',
    '${db:Status-Status}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\n',
  ]);
  expected = stdout
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([status]) => status !== 'not-installed' && status !== 'config-files')
    .map(([, name = '', version = '', srcName = '', srcVersion = '']) => ({
      name,
      version,
      srcName,
      srcVersion,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}, 600_000);

afterAll(async () => {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
});

const sources = {
  'OCI layout': () => `${forms.ociLayout}:${forms.tag}`,
  'docker save archive (skopeo)': () => forms.dockerArchive,
  'registry on loopback (token auth, Docker config credentials)': () => reference,
};

function packageList(result: ScanResult) {
  return result.packages
    .map((p) => ({ name: p.name, version: p.version, srcName: p.srcName, srcVersion: p.srcVersion }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('the debootstrap bookworm image', () => {
  for (const [label, argument] of Object.entries(sources)) {
    it(`from the ${label}: packages equal dpkg-query, findings are exactly the expected ones`, async () => {
      const result = await scanImage(argument(), {
        cwd: work,
        env: { DOCKER_CONFIG: dockerConfig },
        dbPath,
        now: new Date('2026-06-01T00:00:00Z'),
      });
      expect(result.os).toMatchObject({
        family: 'debian',
        namespace: 'debian:12',
        codename: 'bookworm',
        supported: true,
      });
      expect(expected.length).toBeGreaterThan(80);
      expect(packageList(result)).toEqual(expected);
      expect(result.packages.find((p) => p.name === 'apparmor')).toBeUndefined();
      // libapparmor1 (source apparmor) from layer 1: CVE-2016-1585 is open in bookworm (unimportant);
      // CVE-2014-1424 is "not affected" (fixed_version 0) and CVE-2017-6507 fixed in 2.11.0-3 < 3.0.8.
      const libapparmor = expected.find((p) => p.name === 'libapparmor1');
      expect(
        result.findings.map((f) => ({
          id: f.vulnerabilityId,
          pkg: f.pkgName,
          installed: f.installedVersion,
          src: f.srcName,
          state: f.state,
          severity: f.severity,
          layer: f.layer,
        })),
      ).toEqual([
        {
          id: 'CVE-2016-1585',
          pkg: 'libapparmor1',
          installed: libapparmor?.version,
          src: 'apparmor',
          state: 'unfixed',
          severity: 'Negligible',
          layer: 0,
        },
      ]);
      expect(result.layers).toHaveLength(2);
    });
  }

  it('went through the bearer-token flow with the credentials from the Docker config', () => {
    const pulls = registry.tokenRequests.filter((r) => r.scope === 'repository:chartroom/bookworm:pull');
    expect(pulls.length).toBeGreaterThan(0);
    expect(pulls.every((r) => r.authenticated)).toBe(true);
  });

  it('is refused without credentials, with a hint to log in (exit 8)', async () => {
    await expect(
      scanImage(reference, { cwd: work, env: { DOCKER_CONFIG: join(work, 'nowhere') }, dbPath }),
    ).rejects.toMatchObject({
      code: 'registry-unauthorized',
      exitCode: 8,
      hint: expect.stringContaining('docker login') as unknown,
    });
  });

  it('is refused with a wrong password', async () => {
    const bad = join(work, 'bad-docker');
    mkdirSync(bad, { recursive: true });
    writeFileSync(
      join(bad, 'config.json'),
      JSON.stringify({
        auths: { [`http://${registry.host}`]: { username: registry.username, password: 'wrong' } },
      }),
    );
    await expect(scanImage(reference, { cwd: work, env: { DOCKER_CONFIG: bad }, dbPath })).rejects.toThrow(
      'the token server refused the credentials',
    );
  });

  it('reports a missing tag as not found (exit 4)', async () => {
    await expect(
      scanImage(`${registry.host}/chartroom/bookworm:nope`, {
        cwd: work,
        env: { DOCKER_CONFIG: dockerConfig },
        dbPath,
      }),
    ).rejects.toMatchObject({ code: 'image-not-found', exitCode: 4 });
  });
});
