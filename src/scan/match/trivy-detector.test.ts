/**
 * Trivy's OS detector tests (pkg/detector/ospkg/{debian,ubuntu,alpine}): its fixture DBs loaded
 * into our DB, its installed packages matched, and the findings compared with Trivy's expected
 * DetectedVulnerability lists (transcribed in detector-expectations.json).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VulnDb, VulnDbWriter } from '../db/vulndb.js';
import type { InstalledPackage } from '../pkgdb/types.js';
import { severities } from '../severity.js';
import { isSupported, alpineEol, debianEol } from './eol.js';
import { matchPackages } from './matcher.js';
import { releaseFor } from './namespace.js';

const root = resolve(import.meta.dirname, '../../../../shared/fixtures/scan/trivy');
const expectations = JSON.parse(
  readFileSync(join(root, 'detector-expectations.json'), 'utf8'),
) as Expectations;
const work = mkdtempSync(join(tmpdir(), 'chartroom-trivy-detector-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface TrivyPkg {
  Name: string;
  Version: string;
  SrcName?: string;
  SrcVersion?: string;
  Layer?: { DiffID: string };
}
interface TrivyFinding {
  PkgName: string;
  VulnerabilityID: string;
  InstalledVersion: string;
  FixedVersion: string;
  Status?: string;
  SeveritySource?: string;
  Vulnerability?: { Severity: string };
  VendorIDs?: string[];
  Layer?: { DiffID: string };
  DataSource: { ID: string; Name: string; URL: string };
}
interface Case {
  name: string;
  fixtures: string[];
  osVer: string;
  now?: string;
  repo?: { Release: string };
  pkgs: TrivyPkg[];
  want?: TrivyFinding[];
  wantErr?: string;
}
interface Expectations {
  detect: Record<'debian' | 'ubuntu' | 'alpine', Case[]>;
  isSupportedVersion: Record<
    'debian' | 'ubuntu' | 'alpine',
    { name: string; now: string; osVer: string; want: boolean }[]
  >;
  ubuntuTestEOLDates: Record<string, string>;
}

type Pair = { bucket?: string; key?: string; value?: Record<string, unknown>; pairs?: Pair[] };

const statuses = [
  'unknown',
  'not-affected',
  'unfixed',
  'fixed',
  'under-investigation',
  'will-not-fix',
  'fix-deferred',
  'end-of-life',
];
const trivySeverities = ['Unknown', 'Low', 'Medium', 'High', 'Critical'];

/** Loads Trivy's bucket YAML into a fresh DB; values are mapped field by field, never repaired. */
function loadFixtures(files: string[], name: string): VulnDb {
  const path = join(work, `${name.replace(/\W+/g, '-')}.db`);
  rmSync(path, { force: true });
  const writer = new VulnDbWriter(path);
  for (const file of files) {
    for (const top of parse(readFileSync(join(root, file), 'utf8')) as Pair[]) {
      const [family, release] = (top.bucket ?? '').split(' ');
      if (top.bucket === 'data-source') {
        for (const pair of top.pairs ?? []) {
          const [f, r] = (pair.key ?? '').split(' ');
          const v = pair.value as { ID: string; Name: string; URL: string };
          writer.dataSource(`${f}:${r}`, { id: v.ID, name: v.Name, url: v.URL });
        }
        continue;
      }
      for (const pkg of top.pairs ?? []) {
        const list = (pkg.pairs ?? []).flatMap((pair) => {
          const v = pair.value ?? {};
          const status = typeof v.Status === 'number' ? statuses[v.Status] : undefined;
          if (status === 'not-affected' || status === 'under-investigation') return [];
          const fixed = v.FixedVersion;
          const state =
            status === undefined || status === 'unknown'
              ? fixed === '' || fixed === undefined
                ? 'unfixed'
                : 'fixed'
              : status;
          return [
            {
              id: pair.key,
              state,
              ...(fixed === '' || fixed === undefined ? {} : { fixed }),
              ...(v.AffectedVersion === undefined ? {} : { affected: v.AffectedVersion }),
              ...(typeof v.Severity === 'number' ? { severity: trivySeverities[v.Severity] } : {}),
              ...(v.VendorIDs === undefined ? {} : { vendorIds: v.VendorIDs }),
            },
          ];
        });
        writer.rawAdvisories(`${family}:${release}`, pkg.bucket ?? '', JSON.stringify(list));
      }
    }
  }
  writer.close();
  return VulnDb.open(path);
}

function packages(list: TrivyPkg[], diffIds: string[]): InstalledPackage[] {
  return list.map((p) => {
    const layer = p.Layer === undefined ? -1 : diffIds.indexOf(p.Layer.DiffID);
    return {
      type: 'deb',
      name: p.Name,
      version: p.Version,
      srcName: p.SrcName ?? '',
      srcVersion: p.SrcVersion ?? p.Version,
      file: 'fixture',
      ...(layer >= 0 ? { layer } : {}),
    };
  });
}

for (const family of ['debian', 'ubuntu', 'alpine'] as const) {
  describe(`Trivy ${family} detector fixtures`, () => {
    for (const testCase of expectations.detect[family]) {
      it(testCase.name, () => {
        const db = loadFixtures(testCase.fixtures, `${family}-${testCase.name}`);
        const diffIds = [...new Set(testCase.pkgs.flatMap((p) => (p.Layer ? [p.Layer.DiffID] : [])))];
        const release = releaseFor(
          {
            family,
            version: testCase.osVer,
            ...(testCase.repo === undefined ? {} : { repositoryRelease: testCase.repo.Release }),
          },
          {
            now: new Date(testCase.now ?? '2024-04-01T00:00:00Z'),
            ubuntuEolTable: expectations.ubuntuTestEOLDates,
          },
        );
        const run = () =>
          matchPackages(
            db,
            { ...release, scheme: family === 'alpine' ? 'apk' : 'dpkg' },
            packages(testCase.pkgs, diffIds),
          );
        if (testCase.wantErr !== undefined) {
          expect(run).toThrow(new RegExp(testCase.wantErr, 'i'));
          db.close();
          return;
        }
        const got = run()
          .map((f) => ({
            PkgName: f.pkgName,
            VulnerabilityID: f.vulnerabilityId,
            InstalledVersion: f.installedVersion,
            FixedVersion: f.fixedVersion ?? '',
            state: f.state,
            severity: f.severitySource === undefined ? undefined : f.severity,
            SeveritySource: f.severitySource,
            VendorIDs: f.vendorIds,
            Layer: f.layer === undefined ? undefined : { DiffID: diffIds[f.layer] },
            DataSource:
              f.dataSource === undefined
                ? undefined
                : { ID: f.dataSource.id, Name: f.dataSource.name, URL: f.dataSource.url },
          }))
          .sort((a, b) => a.VulnerabilityID.localeCompare(b.VulnerabilityID));
        const want = (testCase.want ?? []).map((w) => ({
          PkgName: w.PkgName,
          VulnerabilityID: w.VulnerabilityID,
          InstalledVersion: w.InstalledVersion,
          FixedVersion: w.FixedVersion,
          // Trivy leaves Status unset (0) in the detector; the fix state follows from FixedVersion then.
          state:
            w.Status === undefined
              ? w.FixedVersion === ''
                ? 'unfixed'
                : 'fixed'
              : w.Status.replace(/_/g, '-'),
          severity:
            w.Vulnerability === undefined
              ? undefined
              : severities.find((s) => s.toUpperCase() === w.Vulnerability?.Severity),
          SeveritySource: w.SeveritySource,
          VendorIDs: w.VendorIDs,
          Layer: w.Layer,
          DataSource: w.DataSource,
        }));
        expect(got).toEqual(want);
        db.close();
      });
    }
  });
}

describe("Trivy's supported-version cases", () => {
  const tables = { debian: debianEol, alpine: alpineEol, ubuntu: expectations.ubuntuTestEOLDates };
  for (const family of ['debian', 'ubuntu', 'alpine'] as const) {
    for (const testCase of expectations.isSupportedVersion[family]) {
      it(`${family}: ${testCase.name}`, () => {
        const now = new Date(testCase.now);
        const release = releaseFor(
          { family, version: testCase.osVer },
          { now, ubuntuEolTable: tables.ubuntu },
        );
        const key =
          family === 'ubuntu'
            ? (release.dbNamespace.split(':')[1] ?? '')
            : family === 'debian'
              ? (testCase.osVer.split('.')[0] ?? '')
              : (/^\d+\.\d+/.exec(testCase.osVer)?.[0] ?? testCase.osVer);
        expect(isSupported(key, now, tables[family])).toBe(testCase.want);
        expect(release.supported).toBe(testCase.want);
      });
    }
  }
});
