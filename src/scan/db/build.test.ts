import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { ExitCode, toChartroomError } from '../../core/errors.js';
import { freePort } from '../../core/net.js';
import { buildDb, readFeedDir } from './build.js';
import { exportDb, importDb } from './bundle.js';
import { cvss2BaseScore, cvss3BaseScore } from './feeds/cvss.js';
import { updateDb } from './update.js';
import { VulnDb } from './vulndb.js';

const feeds = resolve(import.meta.dirname, '../../../../shared/fixtures/scan/feeds');
const work = mkdtempSync(join(tmpdir(), 'chartroom-db-test-'));
const dbPath = join(work, 'vuln.db');
let db: VulnDb;

beforeAll(async () => {
  buildDb(await readFeedDir(feeds), dbPath);
  db = VulnDb.open(dbPath);
});
afterAll(() => {
  db.close();
  rmSync(work, { recursive: true, force: true });
});

interface VunnelRecord {
  item: {
    Vulnerability: {
      Name: string;
      NamespaceName: string;
      Severity: string;
      FixedIn: { Name: string; Version: string }[];
    };
  };
}

describe('db build from the fixture feeds', () => {
  it('records every feed file in the manifest with its hash and record count', () => {
    const manifest = db.manifest();
    const kinds = manifest.sources.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'debian-tracker')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'alpine-secdb')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'osv')).toHaveLength(4);
    const dsa = manifest.sources.find((s) => s.location.endsWith('debian-DSA-3029-1.json'));
    expect(dsa).toMatchObject({ records: 1, dataDate: '2014-09-20T08:18:07Z' });
    expect(dsa?.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it("agrees with vunnel's normalised Debian and Alpine records for every input it holds", () => {
    const dir = join(feeds, 'vunnel-expected');
    let compared = 0;
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const path = join(dir, file);
      if (!statSync(path).isFile()) continue;
      const record = (JSON.parse(readFileSync(path, 'utf8')) as VunnelRecord).item.Vulnerability;
      const [family, release] = record.NamespaceName.split(':') as [string, string];
      for (const fixedIn of record.FixedIn) {
        const advisories = db.advisories(`${family}:${release}`, fixedIn.Name);
        const ours = advisories.find((a) => a.id === record.Name);
        // cve-2012-0833 (389-ds) comes from vunnel's DSA list alone, which is not a feed we read.
        if (fixedIn.Name === '389_directory_server') continue;
        compared++;
        if (fixedIn.Version === '0') {
          expect(ours, `${record.NamespaceName} ${record.Name}: not affected`).toBeUndefined();
          continue;
        }
        expect(ours, `${record.NamespaceName} ${fixedIn.Name} ${record.Name}`).toBeDefined();
        if (fixedIn.Version === 'None') expect(ours?.fixed).toBeUndefined();
        else expect(ours?.fixed, record.Name).toBe(fixedIn.Version);
        // vunnel maps urgency like Clair (unimportant → Negligible); Unknown means none.
        expect(ours?.severity ?? 'Unknown', `${record.NamespaceName} ${record.Name} severity`).toBe(
          record.Severity,
        );
      }
    }
    expect(compared).toBeGreaterThanOrEqual(35);
  });

  it('maps tracker states: open → unfixed, open end-of-life → end-of-life, fixed_version 0 → absent', () => {
    const apparmor = db.advisories('debian:12', 'apparmor');
    expect(apparmor.map((a) => [a.id, a.state, a.fixed, a.severity])).toEqual([
      ['CVE-2016-1585', 'unfixed', undefined, 'Negligible'],
      ['CVE-2017-6507', 'fixed', '2.11.0-3', undefined],
    ]);
    expect(db.advisories('debian:9', 'chromium')).toMatchObject([
      { id: 'CVE-2022-0456', state: 'end-of-life' },
    ]);
    expect(db.dataSource('debian:12')?.id).toBe('debian');
  });

  it('turns an OSV DSA record into its CVE with the DSA as vendor id, and skips one without affected packages', () => {
    expect(db.advisories('debian:7', 'nginx')).toEqual([
      {
        id: 'CVE-2014-3616',
        state: 'fixed',
        fixed: '1.2.1-2.2+wheezy3',
        ranges: [{ introduced: '0' }, { fixed: '1.2.1-2.2+wheezy3' }],
        vendorIds: ['DSA-3029-1'],
        source: 'osv/debian-DSA-3029-1.json',
      },
    ]);
    expect(db.detail('CVE-2022-39189')).toBeUndefined();
  });

  it('reads OSV Alpine ranges and computes the CVSS v3 score of the record', () => {
    const openssl = db.advisories('alpine:3.8', 'openssl');
    expect(openssl.find((a) => a.id === 'CVE-2018-5407')).toMatchObject({
      state: 'fixed',
      fixed: '1.0.2q-r0',
    });
    expect(db.detail('CVE-2018-5407')).toMatchObject({
      severity: 'Medium',
      severitySource: 'osv',
      cvss: { osv: { v3Score: 4.7 } },
    });
  });

  it('handles secdb quirks: packages as an object, YAML and JSON forms alike', () => {
    expect(db.manifest().sources.find((s) => s.location.endsWith('v3.11-community.json'))?.records).toBe(0);
    expect(db.advisories('alpine:3.15', 'zlib').map((a) => [a.id, a.fixed])).toEqual([
      ['CVE-2018-25032', '1.2.12-r0'],
      ['CVE-2022-37434', '1.2.12-r2'],
    ]);
  });

  it('computes CVSS base scores from vectors', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N')).toBe(6.1);
    expect(cvss2BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe(7.5);
    expect(cvss2BaseScore('AV:N/AC:M/Au:N/C:N/I:P/A:N')).toBe(4.3);
  });

  it('takes NVD severity for vulnerabilities the distribution did not rate', async () => {
    const target = join(work, 'nvd.db');
    const inputs = [
      ...(await readFeedDir(feeds)),
      {
        location: 'nvd/nvdcve-2.0-2017.json',
        modified: new Date('2026-01-01'),
        data: Buffer.from(
          JSON.stringify({
            vulnerabilities: [
              {
                cve: {
                  id: 'CVE-2017-6507',
                  lastModified: '2025-01-01T00:00:00',
                  metrics: {
                    cvssMetricV31: [
                      {
                        type: 'Primary',
                        cvssData: {
                          baseScore: 7.5,
                          vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
                        },
                      },
                    ],
                  },
                },
              },
            ],
          }),
        ),
      },
    ];
    const result = buildDb(inputs, target);
    const nvdDb = VulnDb.open(result.path);
    expect(nvdDb.detail('CVE-2017-6507')).toMatchObject({
      severity: 'High',
      severitySource: 'nvd',
      description: expect.stringContaining('AppArmor') as unknown,
    });
    nvdDb.close();
  });

  it('refuses an empty feeds folder without writing anything', async () => {
    const empty = mkdtempSync(join(work, 'empty-'));
    const inputs = await readFeedDir(empty);
    expect(() => buildDb(inputs, join(empty, 'x.db'))).toThrow('no feed files found');
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('db export and import', () => {
  it('round-trips a bundle and rejects a tampered one, leaving the installed DB alone', async () => {
    const bundle = join(work, 'db.tar.gz');
    const info = await exportDb(dbPath, bundle);
    const installed = join(work, 'imported', 'vuln.db');
    const imported = await importDb(bundle, installed);
    expect(imported.sha256).toBe(info.sha256);
    const copy = VulnDb.open(installed);
    expect(copy.advisories('debian:12', 'apparmor')).toHaveLength(2);
    copy.close();
    const before = readFileSync(installed);
    writeFileSync(join(work, 'bad.tar.gz'), readFileSync(bundle).subarray(0, 200));
    await expect(importDb(join(work, 'bad.tar.gz'), installed)).rejects.toThrow('not a usable DB bundle');
    expect(readFileSync(installed).equals(before)).toBe(true);
  });

  it('reports a missing, unreadable or folder bundle by path and exit code, never as a crash', async () => {
    const installed = join(work, 'untouched', 'vuln.db');
    const failure = (file: string) => importDb(file, installed).then(() => undefined, toChartroomError);
    const missing = join(work, 'no-such-bundle.tar.gz');
    expect(await failure(missing)).toMatchObject({
      message: `no such file or directory: ${missing}`,
      exitCode: ExitCode.notFound,
    });
    // Write-only even for root: its open fails as a chmod 000 file's does for a user.
    expect(await failure('/proc/sys/vm/drop_caches')).toMatchObject({ exitCode: ExitCode.permission });
    expect(await failure(work)).toMatchObject({
      code: 'usage',
      message: `${work} is a folder, not a DB bundle`,
    });
    expect(existsSync(join(work, 'untouched'))).toBe(false);
  });
});

describe('db update', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  let osvZip: Buffer;
  beforeAll(async () => {
    // OSV's dump layout: one JSON record per zip entry.
    const zip = new ZipFile();
    for (const name of ['debian-DSA-3029-1.json', 'debian-DLA-3623-1.json'])
      zip.addBuffer(readFileSync(join(feeds, 'osv', name)), name.replace('debian-', ''));
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    osvZip = Buffer.concat(chunks);
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const routes: Record<string, string> = {
        '/debian/tracker/data/json': readFileSync(join(feeds, 'debian-tracker/vunnel-debian.json'), 'utf8'),
        '/alpine/': '<a href="v3.15/">v3.15/</a> <a href="../">..</a>',
        '/alpine/v3.15/main.json': readFileSync(
          join(feeds, 'alpine-secdb/vunnel-v3.15-main.converted.json'),
          'utf8',
        ),
      };
      const body = request.url === '/osv/Debian/all.zip' ? osvZip : routes[request.url ?? ''];
      response.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(() => server.close());

  it('downloads from a mirror with the official layout and rebuilds the DB', async () => {
    const target = join(work, 'updated.db');
    const result = await updateDb({
      target,
      debianUrl: `${base}/debian/tracker/data/json`,
      alpineUrl: `${base}/alpine`,
      osvUrl: `${base}/osv`,
      osvEcosystems: ['Debian'],
    });
    expect(requests).toEqual([
      '/debian/tracker/data/json',
      '/alpine/',
      '/alpine/v3.15/main.json',
      '/alpine/v3.15/community.json',
      '/osv/Debian/all.zip',
    ]);
    expect(result.manifest.sources.map((s) => [s.kind, s.location, s.records])).toEqual([
      ['debian-tracker', `${base}/debian/tracker/data/json`, 7],
      ['alpine-secdb', `${base}/alpine/v3.15/main.json`, 13],
      ['osv', `${base}/osv/Debian/all.zip`, 2],
    ]);
    expect(result.manifest.sources.every((s) => s.fetchedAt !== undefined)).toBe(true);
    const updated = VulnDb.open(target);
    expect(updated.advisories('alpine:3.15', 'zlib')).toHaveLength(2);
    expect(updated.advisories('debian:7', 'nginx')).toMatchObject([
      { id: 'CVE-2014-3616', vendorIds: ['DSA-3029-1'] },
    ]);
    updated.close();
  });

  it('fails clearly when the official feeds are out of reach and keeps the old DB', async () => {
    const target = join(work, 'kept.db');
    writeFileSync(target, readFileSync(dbPath));
    const before = readFileSync(target);
    // No network here beyond the package registries, as on an air-gapped CI runner.
    await expect(updateDb({ target, debianUrl: `${base}/nowhere` })).rejects.toMatchObject({
      code: 'feed-unreachable',
      exitCode: 6,
    });
    const closed = await freePort();
    await expect(
      updateDb({ target, debianUrl: `http://127.0.0.1:${closed}/tracker/data/json` }),
    ).rejects.toThrow(`cannot download http://127.0.0.1:${closed}/tracker/data/json: ECONNREFUSED`);
    expect(readFileSync(target).equals(before)).toBe(true);
  });
});
