/**
 * Matches installed packages against the advisories of their release, the way Trivy's OS
 * detectors do: look up by source package (the binary name when there is none), compare the
 * installed source version (dpkg) or version (apk) with the release's own version order, report
 * unfixed advisories always and fixed ones while installed < fixed. Unparsable versions are skipped.
 */
import type { VulnDb } from '../db/vulndb.js';
import type { Advisory, Cvss, DataSource, FixState } from '../db/types.js';
import type { InstalledPackage } from '../pkgdb/types.js';
import type { Severity } from '../severity.js';
import { comparators, type VersionComparator } from '../version/index.js';
import { inRanges } from './ranges.js';
import type { Release } from './namespace.js';

export interface Finding {
  vulnerabilityId: string;
  pkgName: string;
  installedVersion: string;
  srcName: string;
  srcVersion: string;
  fixedVersion?: string;
  state: FixState;
  severity: Severity;
  /** Who said so: the distribution's data source id, `nvd`, or none. */
  severitySource?: string;
  vendorIds?: string[];
  /** The layer that introduced the package (index into the image's layers). */
  layer?: number;
  dataSource?: DataSource;
  title?: string;
  description?: string;
  cvss?: Record<string, Cvss>;
  references?: string[];
  primaryUrl?: string;
}

export interface MatchOptions {
  /** Report only advisories with a fix (Trivy's --ignore-unfixed, Grype's --only-fixed). */
  ignoreUnfixed?: boolean;
}

function installedVersionFor(pkg: InstalledPackage, scheme: VersionComparator['scheme']): string {
  // Debian/Ubuntu advisories are about source versions (binNMU +bN builds share their source's fixes).
  return scheme === 'dpkg' ? pkg.srcVersion || pkg.version : pkg.version;
}

function affects(advisory: Advisory, installed: string, comparator: VersionComparator): boolean {
  if (advisory.affected !== undefined && advisory.affected !== '') {
    if (!comparator.valid(advisory.affected) || comparator.compare(advisory.affected, installed) > 0)
      return false;
  }
  if (advisory.versions !== undefined && advisory.versions.includes(installed)) return true;
  if (advisory.ranges !== undefined && advisory.ranges.length > 0)
    return inRanges(installed, advisory.ranges, comparator);
  if (advisory.fixed === undefined || advisory.fixed === '') return true;
  if (!comparator.valid(advisory.fixed)) return false;
  return comparator.compare(installed, advisory.fixed) < 0;
}

export function primaryUrl(id: string, dataSource: DataSource | undefined): string | undefined {
  if (id.startsWith('CVE-')) {
    switch (dataSource?.id) {
      case 'debian':
        return `https://security-tracker.debian.org/tracker/${id}`;
      case 'ubuntu':
        return `https://ubuntu.com/security/${id}`;
      case 'alpine':
        return `https://security.alpinelinux.org/vuln/${id}`;
      case undefined:
      default:
        return `https://nvd.nist.gov/vuln/detail/${id}`;
    }
  }
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  if (/^(DSA|DLA)-/.test(id)) return `https://security-tracker.debian.org/tracker/${id}`;
  return undefined;
}

export function matchPackages(
  db: VulnDb,
  release: Release,
  packages: readonly InstalledPackage[],
  options: MatchOptions = {},
): Finding[] {
  const comparator = comparators[release.scheme];
  const dataSource = db.dataSource(release.dbNamespace);
  const family = release.dbNamespace.split(':')[0];
  const findings: Finding[] = [];
  for (const pkg of packages) {
    const installed = installedVersionFor(pkg, release.scheme);
    if (!comparator.valid(installed)) continue;
    const lookup = pkg.srcName || pkg.name;
    for (const advisory of db.advisories(release.dbNamespace, lookup)) {
      if (!affects(advisory, installed, comparator)) continue;
      if (options.ignoreUnfixed === true && advisory.state !== 'fixed') continue;
      const detail = db.detail(advisory.id);
      const vendor =
        advisory.severity !== undefined && advisory.severity !== 'Unknown' ? advisory.severity : undefined;
      const generic =
        detail?.severity !== undefined && detail.severity !== 'Unknown' ? detail.severity : undefined;
      const url = primaryUrl(advisory.id, dataSource);
      findings.push({
        vulnerabilityId: advisory.id,
        pkgName: pkg.name,
        installedVersion: pkg.version,
        srcName: lookup,
        srcVersion: pkg.srcVersion,
        ...(advisory.fixed === undefined || advisory.fixed === '' ? {} : { fixedVersion: advisory.fixed }),
        state: advisory.state,
        severity: vendor ?? generic ?? 'Unknown',
        ...(vendor !== undefined
          ? { severitySource: dataSource?.id ?? family }
          : generic !== undefined
            ? { severitySource: detail?.severitySource ?? 'nvd' }
            : {}),
        ...(advisory.vendorIds === undefined || advisory.vendorIds.length === 0
          ? {}
          : { vendorIds: advisory.vendorIds }),
        ...(pkg.layer === undefined ? {} : { layer: pkg.layer }),
        ...(dataSource === undefined ? {} : { dataSource }),
        ...(detail?.title === undefined ? {} : { title: detail.title }),
        ...(detail?.description === undefined ? {} : { description: detail.description }),
        ...(detail?.cvss === undefined ? {} : { cvss: detail.cvss }),
        ...(detail?.references === undefined ? {} : { references: detail.references }),
        ...(url === undefined ? {} : { primaryUrl: url }),
      });
    }
  }
  return findings.sort(
    (a, b) => a.pkgName.localeCompare(b.pkgName) || a.vulnerabilityId.localeCompare(b.vulnerabilityId),
  );
}
