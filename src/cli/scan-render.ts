/**
 * How `chartroom scan …` results look for humans. Types only from the capability, so loading this
 * file costs nothing.
 */
import type { Output } from '../core/output/index.js';
import type {
  BaseImageRow,
  DbManifest,
  GatedFinding,
  InstalledPackage,
  ScanResult,
  SeverityCounts,
} from '../scan/index.js';

const order = ['Defcon1', 'Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;

function rank(finding: GatedFinding): number {
  return order.indexOf(finding.severity);
}

export function renderFindings(
  result: ScanResult,
  findings: readonly GatedFinding[],
  out: Output,
  all: boolean,
): void {
  const os =
    result.os === undefined
      ? 'no OS detected'
      : `${result.os.prettyName ?? `${result.os.family} ${result.os.version}`} (${result.os.namespace})`;
  out.line(
    `${result.image.reference}: ${os}, ${result.packages.length} packages, ${result.layers.length} layers`,
  );
  if (result.os !== undefined && !result.os.supported) {
    out.warn(
      `${result.os.family} ${result.os.version} is past its end of life: the distribution no longer publishes fixes, findings are incomplete`,
    );
  }
  const rows = [...findings]
    .filter((f) => all || !f.approved)
    .sort((a, b) => rank(a) - rank(b) || a.pkgName.localeCompare(b.pkgName));
  if (rows.length === 0) return;
  out.line();
  out.table(rows, [
    { header: 'Status', value: (f) => (f.approved ? 'Approved' : 'Unapproved') },
    { header: 'Severity', value: (f) => f.severity },
    { header: 'Vulnerability', value: (f) => f.vulnerabilityId },
    { header: 'Package', value: (f) => f.pkgName },
    { header: 'Installed', value: (f) => f.installedVersion },
    { header: 'Fixed in', value: (f) => f.fixedVersion ?? '' },
    { header: 'State', value: (f) => f.state },
    { header: 'Layer', value: (f) => (f.layer === undefined ? '' : String(f.layer + 1)) },
    { header: 'Title', value: (f) => (f.title ?? f.description ?? '').split('\n')[0]?.slice(0, 60) ?? '' },
  ]);
}

export function renderCounts(counts: SeverityCounts, out: Output): void {
  out.line(order.map((s) => `${s}: ${counts[s]}`).join(', '));
}

export function renderPackages(packages: readonly InstalledPackage[], out: Output): void {
  out.table(packages, [
    { header: 'Name', value: (p) => p.name },
    { header: 'Version', value: (p) => p.version },
    {
      header: 'Source',
      value: (p) =>
        p.srcName === p.name && p.srcVersion === p.version ? '' : `${p.srcName} ${p.srcVersion}`,
    },
    { header: 'Type', value: (p) => p.type },
    { header: 'Layer', value: (p) => (p.layer === undefined ? '' : String(p.layer + 1)) },
  ]);
}

/** The talk's table: count, then base image; severities beside it. */
export function renderBaseImages(rows: readonly BaseImageRow[], out: Output): void {
  out.table(rows, [
    { header: 'Count', value: (r) => r.total, align: 'right' },
    { header: 'Base image', value: (r) => r.namespace },
    { header: 'Images', value: (r) => r.images.length, align: 'right' },
    ...(['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const).map((s) => ({
      header: s,
      value: (r: BaseImageRow) => r.counts[s],
      align: 'right' as const,
    })),
  ]);
}

export function renderManifest(path: string, manifest: DbManifest, out: Output): void {
  out.line(path);
  out.line(`built ${manifest.builtAt} by ${manifest.builder}, schema ${manifest.schema}`);
  out.line(
    `${manifest.counts.advisories} advisories for ${manifest.counts.packages} source packages in ${manifest.counts.namespaces.length} releases (${manifest.counts.namespaces.join(', ')}); ${manifest.counts.vulnerabilities} vulnerabilities`,
  );
  out.line();
  out.table(manifest.sources, [
    { header: 'Kind', value: (s) => s.kind },
    { header: 'Source', value: (s) => s.location },
    { header: 'Records', value: (s) => s.records, align: 'right' },
    { header: 'Data date', value: (s) => s.dataDate },
    { header: 'Fetched', value: (s) => s.fetchedAt ?? '' },
    { header: 'Sha256', value: (s) => s.sha256.slice(0, 12) },
  ]);
}
