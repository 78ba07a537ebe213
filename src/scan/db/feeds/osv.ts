/**
 * OSV records (ossf/osv-schema) for the Debian, Alpine and Ubuntu ecosystems, as osv.dev and
 * Canonical publish them. `package.name` is the source package; ECOSYSTEM ranges are kept and
 * evaluated at match time. A DSA/DLA/USN record becomes advisories for its CVEs (aliases or
 * `upstream`), carrying the record id as a vendor id.
 */
import {
  severityFromCvss2,
  severityFromCvss3,
  severityFromDebianUrgency,
  severityFromUbuntuPriority,
  type Severity,
} from '../../severity.js';
import type { Advisory, RangeEvent, VulnerabilityDetail } from '../types.js';
import { cvss2BaseScore, cvss3BaseScore } from './cvss.js';
import { dataSources, emptyRecords, type FeedRecords } from './types.js';

interface OsvSeverity {
  type?: string;
  score?: string;
}

export interface OsvRecord {
  id: string;
  modified?: string;
  published?: string;
  aliases?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: OsvSeverity[];
  references?: { url?: string }[];
  affected?: {
    package?: { ecosystem?: string; name?: string };
    ranges?: { type?: string; events?: RangeEvent[] }[];
    versions?: string[];
    severity?: OsvSeverity[];
    ecosystem_specific?: { urgency?: string };
  }[];
}

export function looksLikeOsv(value: unknown): value is OsvRecord {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as OsvRecord).id === 'string' &&
    ('affected' in value || 'modified' in value)
  );
}

/** `Debian:12` → debian:12, `Alpine:v3.18` → alpine:3.18, `Ubuntu:22.04:LTS` → ubuntu:22.04, Pro → -ESM. */
export function namespaceOfEcosystem(
  ecosystem: string,
): { namespace: string; family: 'debian' | 'alpine' | 'ubuntu' } | undefined {
  const debian = /^Debian:(\d+|sid)$/.exec(ecosystem);
  if (debian)
    return { namespace: `debian:${debian[1] === 'sid' ? 'unstable' : (debian[1] ?? '')}`, family: 'debian' };
  const alpine = /^Alpine:v(\d+\.\d+|edge)$/.exec(ecosystem);
  if (alpine) return { namespace: `alpine:${alpine[1] ?? ''}`, family: 'alpine' };
  const ubuntu = /^Ubuntu:(Pro:)?(\d+\.\d+)(?::LTS)?$/.exec(ecosystem);
  if (ubuntu) return { namespace: `ubuntu:${ubuntu[2] ?? ''}${ubuntu[1] ? '-ESM' : ''}`, family: 'ubuntu' };
  return undefined;
}

function cvssOf(severity: readonly OsvSeverity[] | undefined): {
  severity?: Severity;
  cvss?: VulnerabilityDetail['cvss'];
} {
  for (const entry of severity ?? []) {
    if (entry.type === 'CVSS_V3' && entry.score !== undefined) {
      const score = cvss3BaseScore(entry.score);
      if (score !== undefined)
        return {
          severity: severityFromCvss3(score),
          cvss: { osv: { v3Score: score, v3Vector: entry.score } },
        };
    }
  }
  for (const entry of severity ?? []) {
    if (entry.type === 'CVSS_V2' && entry.score !== undefined) {
      const score = cvss2BaseScore(entry.score);
      if (score !== undefined)
        return {
          severity: severityFromCvss2(score),
          cvss: { osv: { v2Score: score, v2Vector: entry.score } },
        };
    }
  }
  return {};
}

function vendorSeverity(
  family: string,
  affected: NonNullable<OsvRecord['affected']>[number],
  record: OsvRecord,
): Severity | undefined {
  if (family === 'ubuntu') {
    const priority = [...(affected.severity ?? []), ...(record.severity ?? [])].find(
      (s) => s.type === 'Ubuntu',
    )?.score;
    const severity = severityFromUbuntuPriority(priority);
    return severity === 'Unknown' ? undefined : severity;
  }
  if (family === 'debian') {
    const severity = severityFromDebianUrgency(affected.ecosystem_specific?.urgency);
    return severity === 'Unknown' ? undefined : severity;
  }
  return undefined;
}

export function parseOsvRecords(records: readonly OsvRecord[], sourceId: string): FeedRecords {
  const out = emptyRecords();
  for (const record of records) {
    out.records++;
    // A record for no release we know (or none at all, like some DLAs) adds nothing.
    if (!(record.affected ?? []).some((a) => namespaceOfEcosystem(a.package?.ecosystem ?? '') !== undefined))
      continue;
    if (record.modified !== undefined && (out.dataDate === undefined || record.modified > out.dataDate))
      out.dataDate = record.modified;
    const cves = [...(record.aliases ?? []), ...(record.upstream ?? [])].filter((id) =>
      id.startsWith('CVE-'),
    );
    const isVendorRecord = !record.id.startsWith('CVE-') && cves.length > 0;
    const ids = isVendorRecord ? [...new Set(cves)] : [record.id];
    const { severity, cvss } = cvssOf(record.severity);
    for (const id of ids) {
      const detail: VulnerabilityDetail = { id };
      const title = record.summary;
      if (title !== undefined) detail.title = title;
      if (!isVendorRecord && record.details !== undefined) detail.description = record.details.trim();
      if (!isVendorRecord && severity !== undefined) {
        detail.severity = severity;
        detail.severitySource = 'osv';
        if (cvss !== undefined) detail.cvss = cvss;
      }
      const references = (record.references ?? []).flatMap((r) => (r.url === undefined ? [] : [r.url]));
      if (references.length > 0) detail.references = references;
      if (record.published !== undefined) detail.published = record.published;
      if (record.modified !== undefined) detail.modified = record.modified;
      out.details.push(detail);
    }
    for (const affected of record.affected ?? []) {
      const where = namespaceOfEcosystem(affected.package?.ecosystem ?? '');
      const pkg = affected.package?.name;
      if (where === undefined || pkg === undefined) continue;
      const events = (affected.ranges ?? [])
        .filter((r) => r.type === 'ECOSYSTEM')
        .flatMap((r) => r.events ?? []);
      const fixed = events.find((e) => e.fixed !== undefined)?.fixed;
      const vendor = vendorSeverity(where.family, affected, record);
      out.dataSources[where.namespace] = where.family === 'ubuntu' ? dataSources.ubuntu : dataSources.osv;
      for (const id of ids) {
        const advisory: Advisory = { id, state: fixed === undefined ? 'unfixed' : 'fixed', source: sourceId };
        if (fixed !== undefined) advisory.fixed = fixed;
        if (events.length > 0) advisory.ranges = events;
        if (affected.versions !== undefined && affected.versions.length > 0)
          advisory.versions = affected.versions;
        if (vendor !== undefined) advisory.severity = vendor;
        if (isVendorRecord) advisory.vendorIds = [record.id];
        out.advisories.push({ namespace: where.namespace, pkg, advisory });
      }
    }
  }
  return out;
}
