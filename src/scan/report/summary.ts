/**
 * Counts by severity and the talk's Jenkins line: "Vulnerability scan completed: Medium: 7681,
 * High: 2257, Critical: 0, DefCon1: 0" — plus the per-base-image table ("16 alpine:v3.3").
 */
import { severities, type Severity } from '../severity.js';

export type SeverityCounts = Record<Severity, number>;

export function emptyCounts(): SeverityCounts {
  return Object.fromEntries(severities.map((s) => [s, 0])) as SeverityCounts;
}

export function countBySeverity(findings: readonly { severity: Severity }[]): SeverityCounts {
  const counts = emptyCounts();
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** The talk's line: Medium, High, Critical and DefCon1, the severities a build fails on. */
export function summaryLine(counts: SeverityCounts): string {
  return `Vulnerability scan completed: Medium: ${counts.Medium}, High: ${counts.High}, Critical: ${counts.Critical}, DefCon1: ${counts.Defcon1}`;
}

export interface BaseImageRow {
  /** Clair's namespace of the base OS: `alpine:v3.8`, `debian:9`, `ubuntu:16.04`; `unknown` without one. */
  namespace: string;
  images: string[];
  total: number;
  counts: SeverityCounts;
}

export interface ScannedImage {
  image: string;
  namespace?: string;
  findings: readonly { severity: Severity }[];
}

/** Findings per base image, largest first (the talk's "Number of OS vulnerabilities by docker image"). */
export function byBaseImage(results: readonly ScannedImage[]): BaseImageRow[] {
  const rows = new Map<string, BaseImageRow>();
  for (const result of results) {
    const key = result.namespace ?? 'unknown';
    const row = rows.get(key) ?? { namespace: key, images: [], total: 0, counts: emptyCounts() };
    row.images.push(result.image);
    row.total += result.findings.length;
    for (const finding of result.findings) row.counts[finding.severity]++;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.namespace.localeCompare(b.namespace, 'en', { numeric: true }));
}

/** A Slack incoming-webhook message (also read by Mattermost and Rocket.Chat). */
export function slackMessage(counts: SeverityCounts, rows: readonly BaseImageRow[]): { text: string } {
  const table = rows.map((row) => `${String(row.total).padStart(6)} ${row.namespace}`).join('\n');
  return { text: `${summaryLine(counts)}\n\`\`\`\n${table}\n\`\`\`` };
}
