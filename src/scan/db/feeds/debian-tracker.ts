/**
 * The Debian security tracker's JSON (security-tracker.debian.org/tracker/data/json):
 * source package → CVE → release codename → {status, fixed_version, urgency, nodsa…}.
 *
 * - `resolved` with `fixed_version` "0": the release was never affected (dropped).
 * - `resolved` with a version: fixed there.  `open`: no fix yet — `end-of-life` urgency makes
 *   it end-of-life, a `nodsa_reason` of `ignored` will-not-fix, `postponed` fix-deferred.
 * - `undetermined` and TEMP- ids are dropped (Clair does the same), and so is the
 *   `"releases": []` quirk some entries carry.
 */
import { severityFromDebianUrgency } from '../../severity.js';
import type { Advisory, FixState } from '../types.js';
import { dataSources, emptyRecords, type FeedRecords } from './types.js';

const codenames: Record<string, string> = {
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  sid: 'unstable',
};

interface ReleaseEntry {
  status?: string;
  fixed_version?: string;
  urgency?: string;
  nodsa?: string;
  nodsa_reason?: string;
}

interface CveEntry {
  description?: string;
  releases?: Record<string, ReleaseEntry> | unknown[];
}

export function looksLikeDebianTracker(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const cves of Object.values(value as Record<string, unknown>).slice(0, 5)) {
    if (cves === null || typeof cves !== 'object') return false;
    const first = Object.values(cves as Record<string, unknown>)[0] as CveEntry | undefined;
    if (typeof first === 'object' && 'releases' in first) return true;
  }
  return false;
}

function stateOf(entry: ReleaseEntry): FixState | undefined {
  if (entry.status === 'resolved') return entry.fixed_version === '0' ? undefined : 'fixed';
  if (entry.status !== 'open') return undefined;
  if ((entry.urgency ?? '').startsWith('end-of-life')) return 'end-of-life';
  if (entry.nodsa_reason === 'ignored') return 'will-not-fix';
  if (entry.nodsa_reason === 'postponed') return 'fix-deferred';
  return 'unfixed';
}

export function parseDebianTracker(
  value: Record<string, Record<string, CveEntry>>,
  sourceId: string,
): FeedRecords {
  const out = emptyRecords();
  const seenDetail = new Set<string>();
  for (const [pkg, cves] of Object.entries(value)) {
    for (const [id, cve] of Object.entries(cves)) {
      out.records++;
      if (!id.startsWith('CVE-') || cve.releases === undefined || Array.isArray(cve.releases)) continue;
      if (cve.description !== undefined && !seenDetail.has(id)) {
        seenDetail.add(id);
        out.details.push({ id, description: cve.description });
      }
      for (const [codename, entry] of Object.entries(cve.releases)) {
        const release = codenames[codename];
        const state = stateOf(entry);
        if (release === undefined || state === undefined) continue;
        const namespace = `debian:${release}`;
        const advisory: Advisory = { id, state, source: sourceId };
        if (state === 'fixed' && entry.fixed_version !== undefined) advisory.fixed = entry.fixed_version;
        const severity = severityFromDebianUrgency(entry.urgency);
        if (severity !== 'Unknown') advisory.severity = severity;
        out.advisories.push({ namespace, pkg, advisory });
        out.dataSources[namespace] = dataSources.debian;
      }
    }
  }
  return out;
}
