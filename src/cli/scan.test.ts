import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerTar, ociArchive } from '../scan/image/testing.js';
import { runCliInMemory } from '../testing/cli.js';

const feeds = resolve(import.meta.dirname, '../../../shared/fixtures/scan/feeds');
const alpine = resolve(
  import.meta.dirname,
  '../../../shared/fixtures/scan/trivy/pkg/fanal/test/testdata/alpine-310.tar.gz',
);
const work = mkdtempSync(join(tmpdir(), 'chartroom-scan-cli-'));
const env = {
  CHARTROOM_CACHE: join(work, 'cache'),
  CHARTROOM_DATA: join(work, 'data'),
  CHARTROOM_SCAN_DB: join(work, 'vuln.db'),
};
const debianImage = join(work, 'debian.tar');
let webhook: Server;
let webhookUrl = '';
const posted: unknown[] = [];

function cli(...args: string[]) {
  return runCliInMemory(args, { env, cwd: work });
}

beforeAll(async () => {
  const status = [
    'Package: libapparmor1\nStatus: install ok installed\nVersion: 3.0.8-3\nArchitecture: amd64\nSource: apparmor\n',
    'Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nArchitecture: amd64\nSource: bash (5.2.15-2)\n',
  ].join('\n');
  const layer = await layerTar([
    {
      path: 'etc/os-release',
      content:
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    },
    { path: 'etc/debian_version', content: '12.7\n' },
    { path: 'var/lib/dpkg/status', content: status },
  ]);
  writeFileSync(debianImage, await ociArchive([layer], { gzip: true }));
  webhook = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((done) => webhook.listen(0, '127.0.0.1', done));
  const address = webhook.address();
  webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hooks/T000/B000`;
});
afterAll(() => {
  webhook.close();
  rmSync(work, { recursive: true, force: true });
});

describe('chartroom scan', () => {
  it('says how to get a DB when there is none (exit 4)', async () => {
    const result = await cli('scan', alpine);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`error: no vulnerability DB at ${env.CHARTROOM_SCAN_DB}`);
    expect(result.stderr).toContain('hint: Build one from feed files');
  });

  it('builds the DB from feed files and shows its manifest', async () => {
    const result = await cli('scan', 'db', 'build', '--feeds', feeds);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('advisories for');
    expect(result.stderr).toContain('not a feed file, skipped: vunnel-expected/');
    const info = await cli('-o', 'json', 'scan', 'db', 'info');
    expect(JSON.parse(info.stdout)).toMatchObject({
      schema: 1,
      counts: { namespaces: expect.arrayContaining(['debian:12', 'alpine:3.15']) as unknown },
    });
  });

  it('passes a clean image with exit 0 and the summary line', async () => {
    const result = await cli('scan', alpine);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('alpine:v3.10');
    expect(result.stdout).toContain('contains NO unapproved vulnerabilities');
    expect(result.stdout).toContain(
      'Vulnerability scan completed: Medium: 0, High: 0, Critical: 0, DefCon1: 0',
    );
  });

  it('fails on an unapproved finding (exit 1), matched through the source package', async () => {
    const result = await cli('scan', debianImage, '-r', 'clair.json');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /Unapproved\tNegligible\tCVE-2016-1585\tlibapparmor1\t3\.0\.8-3\t\tunfixed\t1\t/,
    );
    const clair = JSON.parse(readFileSync(join(work, 'clair.json'), 'utf8')) as {
      image: string;
      unapproved: string[];
      vulnerabilities: { featurename: string; namespace: string; severity: string }[];
    };
    expect(clair.unapproved).toEqual(['CVE-2016-1585']);
    expect(clair.vulnerabilities[0]).toMatchObject({
      featurename: 'libapparmor1',
      namespace: 'debian:12',
      severity: 'Negligible',
    });
  });

  it('approves below the threshold, and --ignore-unfixed drops the unfixed finding', async () => {
    expect((await cli('scan', debianImage, '--threshold', 'Low')).code).toBe(0);
    const json = await cli('-o', 'json', 'scan', debianImage, '--ignore-unfixed');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { findings: unknown[] }).findings).toEqual([]);
    const bad = await cli('scan', debianImage, '--threshold', 'Severe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown threshold "Severe"');
  });

  it('honours a clair-scanner whitelist and writes SARIF', async () => {
    writeFileSync(
      join(work, 'whitelist.yaml'),
      'images:\n  test:\n    CVE-2016-1585: mount rules, not used in containers\n',
    );
    const result = await cli(
      'scan',
      debianImage,
      '-w',
      'whitelist.yaml',
      '--format',
      'sarif',
      '--output-file',
      'out.sarif',
    );
    expect(result.code).toBe(0);
    const sarif = JSON.parse(readFileSync(join(work, 'out.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string; level: string; suppressions?: unknown[] }[] }[];
    };
    expect(sarif.runs[0]?.results).toMatchObject([
      { ruleId: 'CVE-2016-1585', level: 'note', suppressions: [{ kind: 'external' }] },
    ]);
  });

  it('posts the summary to a webhook as a Slack message', async () => {
    await cli('scan', debianImage, '--notify', webhookUrl, '--threshold', 'High');
    expect(posted.at(-1)).toEqual({
      text: 'Vulnerability scan completed: Medium: 0, High: 0, Critical: 0, DefCon1: 0\n```\n     1 debian:12\n```',
    });
  });

  it('reports counts by base image over several images, scanned or stored', async () => {
    const result = await cli('-o', 'json', 'scan', 'report', alpine, debianImage);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      summary: string;
      baseImages: { namespace: string; total: number }[];
    };
    expect(report.baseImages.map((r) => [r.namespace, r.total])).toEqual([
      ['alpine:v3.10', 0],
      ['debian:12', 1],
    ]);
    const stored = await cli('scan', 'report', '--stored');
    expect(stored.code).toBe(0);
    expect(stored.stdout).toMatch(/1\tdebian:12\t1\t/);
    expect(stored.stdout).toMatch(/0\talpine:v3\.10\t1\t/);
  });

  it('lists packages without a DB', async () => {
    const result = await cli('-o', 'json', 'scan', 'packages', debianImage, '--db', 'missing.db');
    expect(result.code).toBe(0);
    const inventory = JSON.parse(result.stdout) as {
      packages: { name: string; srcName: string; srcVersion: string }[];
    };
    expect(inventory.packages.map((p) => [p.name, p.srcName, p.srcVersion])).toEqual([
      ['libapparmor1', 'apparmor', '3.0.8-3'],
      ['bash', 'bash', '5.2.15-2'],
    ]);
  });

  it('exports and imports the DB', async () => {
    expect((await cli('scan', 'db', 'export', 'db.tar.gz')).code).toBe(0);
    const imported = await cli('scan', 'db', 'import', 'db.tar.gz', '--db', 'copy.db');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/installed the DB built .* \(\d+ advisories\)/);
  });

  it('reports a missing image file as not found', async () => {
    const result = await cli('scan', './nope.tar');
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: unable to open');
  });
});
