import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectImage, resolveOciManifest } from './index.js';
import { layerTar, ociArchive, type FakeEntry } from './testing.js';

const trivy = resolve(import.meta.dirname, '../../../../shared/fixtures/scan/trivy');
const testdata = join(trivy, 'pkg/fanal/test/testdata');
const expectations = JSON.parse(readFileSync(join(trivy, 'image-expectations.json'), 'utf8')) as {
  archives: Record<
    string,
    {
      repoTags: string[];
      diffIDs: string[];
      imageID?: string;
      os: { family: string; name: string };
      packages: { name: string; version: string; srcName: string; arch: string }[];
    }
  >;
  ociLayouts: Record<string, { expect: 'ok' | 'error'; errorContains?: string }>;
  tryOCI: { cases: { path: string; expect: 'ok' | 'error'; errorContains?: string }[] };
};
const work = mkdtempSync(join(tmpdir(), 'chartroom-image-test-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});
const options = { cwd: '/', env: {} };

describe("Trivy's image archives", () => {
  for (const name of ['alpine-310.tar.gz', 'alpine-311.tar.gz']) {
    it(`reads ${name}: tags, layers, OS and all 14 packages with their origins`, async () => {
      const want = expectations.archives[`pkg/fanal/test/testdata/${name}`];
      if (want === undefined) throw new Error(`no expectations for ${name}`);
      const inventory = await inspectImage(join(testdata, name), options);
      expect(inventory.metadata.repoTags).toEqual(want.repoTags);
      expect(inventory.layers.map((l) => l.diffId)).toEqual(want.diffIDs);
      if (want.imageID !== undefined) expect(inventory.metadata.imageId).toBe(want.imageID);
      expect(inventory.os).toMatchObject({ family: want.os.family, version: want.os.name });
      const got = inventory.packages.map((p) => ({
        name: p.name,
        version: p.version,
        srcName: p.srcName,
        arch: p.arch,
      }));
      const expected = want.packages.map((p) => ({
        name: p.name,
        version: p.version,
        srcName: p.srcName,
        arch: p.arch,
      }));
      expect(got.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        expected.sort((a, b) => a.name.localeCompare(b.name)),
      );
      expect(inventory.packages.every((p) => p.layer === 0)).toBe(true);
    });
  }

  it('reports an archive it may not read as permission denied, without a crash after it', async () => {
    // Write-only even for root: its open fails as a chmod 000 file's does for a user.
    await expect(inspectImage('/proc/sys/vm/drop_caches', options)).rejects.toMatchObject({
      code: 'EACCES',
      path: '/proc/sys/vm/drop_caches',
    });
    // A stream opened before the failing sniff emitted its own open error a tick later.
    await new Promise((done) => setTimeout(done, 50));
  });

  it('reads alpine 3.11 as release 3.11 from its repositories file', async () => {
    const inventory = await inspectImage(join(testdata, 'alpine-311.tar.gz'), options);
    expect(inventory.os?.repositoryRelease).toBe('3.11');
    expect(inventory.os?.namespace).toBe('alpine:v3.11');
  });
});

describe("Trivy's OCI layouts", () => {
  for (const [path, want] of Object.entries(expectations.ociLayouts)) {
    if (path.endsWith('.tar.gz') && want.expect === 'ok') continue; // archives are covered above
    it(`${path}: ${want.expect}${want.errorContains ? ` (${want.errorContains})` : ''}`, async () => {
      const run = inspectImage(resolve(trivy, path), options);
      if (want.expect === 'ok') {
        const inventory = await run;
        expect(inventory.layers).toHaveLength(1);
        expect(inventory.metadata.config.config?.Cmd).toEqual(['/hello']);
        expect(inventory.os).toBeUndefined();
        expect(inventory.packages).toEqual([]);
      } else {
        await expect(run).rejects.toThrow(want.errorContains);
      }
    });
  }

  for (const testCase of expectations.tryOCI.cases) {
    it(`resolves ${testCase.path}: ${testCase.expect}`, async () => {
      const at = testCase.path.indexOf('@');
      const colon = testCase.path.indexOf(':');
      const dir = resolve(
        trivy,
        'pkg/fanal/image',
        testCase.path.slice(0, at >= 0 ? at : colon >= 0 ? colon : undefined),
      );
      const ref =
        at >= 0
          ? { digest: testCase.path.slice(at + 1) }
          : colon >= 0
            ? { tag: testCase.path.slice(colon + 1) }
            : {};
      const run = resolveOciManifest(dir, ref, { os: 'linux', architecture: 'amd64' });
      if (testCase.expect === 'ok')
        await expect(run).resolves.toMatchObject({
          digest: 'sha256:56ae38f2f5c54b98311b8b2463d4861368c451ac17098f4227d84946b42ab96d',
        });
      else await expect(run).rejects.toThrow(testCase.errorContains);
    });
  }
});

const osRelease: FakeEntry = {
  path: 'etc/os-release',
  content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
};
const stanza = (name: string, version: string, extra = ''): string =>
  `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n${extra}\n`;

async function image(name: string, layers: FakeEntry[][], gzip = true): Promise<string> {
  const path = join(work, name);
  writeFileSync(
    path,
    await ociArchive(await Promise.all(layers.map((entries) => layerTar(entries))), { gzip }),
  );
  return path;
}

describe('layers applied with whiteouts and opaque folders (after Trivy applier cases)', () => {
  it('status.d with opaque dirs: a lower package disappears, an upper one appears', async () => {
    const path = await image('opaque.tar', [
      [
        osRelease,
        { path: 'etc/debian_version', content: '12.5\n' },
        { path: 'var/lib/dpkg/status.d/base-files', content: stanza('base-files', '12.4') },
        { path: 'var/lib/dpkg/status.d/libc6', content: stanza('libc6', '2.36-9', 'Source: glibc\n') },
      ],
      [
        { path: 'var/lib/dpkg/status.d/.wh..wh..opq' },
        { path: 'var/lib/dpkg/status.d/tzdata', content: stanza('tzdata', '2024a-0+deb12u1') },
      ],
    ]);
    const inventory = await inspectImage(path, options);
    expect(inventory.os).toMatchObject({ family: 'debian', version: '12.5', namespace: 'debian:12' });
    expect(inventory.packages.map((p) => [p.name, p.version, p.layer])).toEqual([
      ['tzdata', '2024a-0+deb12u1', 1],
    ]);
  });

  it('a whiteout removes a distroless package file, and a new status file replaces the old', async () => {
    const path = await image('whiteout.tar', [
      [
        osRelease,
        {
          path: 'var/lib/dpkg/status.d/libssl3',
          content: stanza('libssl3', '3.0.11-1~deb12u2', 'Source: openssl\n'),
        },
        { path: 'var/lib/dpkg/status', content: stanza('bash', '5.2.15-2+b2', 'Source: bash (5.2.15-2)\n') },
      ],
      [
        { path: 'var/lib/dpkg/status.d/.wh.libssl3' },
        {
          path: 'var/lib/dpkg/status',
          content:
            stanza('bash', '5.2.15-2+b2', 'Source: bash (5.2.15-2)\n') +
            '\n' +
            stanza('curl', '7.88.1-10+deb12u5'),
        },
      ],
    ]);
    const inventory = await inspectImage(path, options);
    expect(inventory.packages.map((p) => [p.name, p.srcName, p.srcVersion, p.layer])).toEqual([
      ['bash', 'bash', '5.2.15-2', 0],
      ['curl', 'curl', '7.88.1-10+deb12u5', 1],
    ]);
  });

  it('follows the os-release symlink and prefers Ubuntu over Debian', async () => {
    const path = await image(
      'ubuntu.tar',
      [
        [
          {
            path: 'usr/lib/os-release',
            content:
              'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n',
          },
          { path: 'etc/os-release', symlink: '../usr/lib/os-release' },
          { path: 'etc/debian_version', content: 'bookworm/sid\n' },
          {
            path: 'etc/lsb-release',
            content: 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n',
          },
        ],
      ],
      false,
    );
    const inventory = await inspectImage(path, options);
    expect(inventory.os).toMatchObject({
      family: 'ubuntu',
      version: '22.04',
      prettyName: 'Ubuntu 22.04.4 LTS',
      namespace: 'ubuntu:22.04',
    });
  });

  it('whiting out a folder removes everything below it, and an opaque root hides all lower files', async () => {
    const path = await image('folder.tar', [
      [osRelease, { path: 'var/lib/dpkg/status', content: stanza('bash', '5.2') }],
      [{ path: 'var/lib/.wh.dpkg' }],
    ]);
    expect((await inspectImage(path, options)).packages).toEqual([]);
  });

  it('rejects a layer whose content does not match the diff ID its config promises', async () => {
    const good = await layerTar([osRelease]);
    const bad = await layerTar([{ path: 'etc/os-release', content: 'ID=alpine\n' }]);
    const path = join(work, 'mismatch.tar');
    writeFileSync(path, await ociArchive([good], { gzip: true, swapLayer: bad }));
    await expect(inspectImage(path, options)).rejects.toThrow(/digest|diff ID/);
  });

  it('uses the layer cache: a second read reads no layer', async () => {
    const path = await image('cached.tar', [
      [osRelease, { path: 'var/lib/dpkg/status', content: stanza('bash', '5.2') }],
    ]);
    const cacheDir = join(work, 'cache');
    const cold = await inspectImage(path, { ...options, cacheDir });
    const warm = await inspectImage(path, { ...options, cacheDir });
    expect(cold.layers.map((l) => l.cached)).toEqual([false]);
    expect(warm.layers.map((l) => l.cached)).toEqual([true]);
    expect(warm.packages).toEqual(cold.packages);
  });
});
