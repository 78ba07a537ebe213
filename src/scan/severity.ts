/**
 * Clair's severity scale, which clair-scanner thresholds and the talk's summary line use:
 * Unknown < Negligible < Low < Medium < High < Critical < Defcon1.
 */
export const severities = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical', 'Defcon1'] as const;
export type Severity = (typeof severities)[number];

export function severityRank(severity: Severity): number {
  return severities.indexOf(severity);
}

/** Case-insensitive; accepts Trivy's UPPER names and `defcon1`. */
export function parseSeverity(text: string): Severity | undefined {
  const lower = text.trim().toLowerCase();
  return severities.find((s) => s.toLowerCase() === lower);
}

/** Debian tracker urgency (with its `*`/`**` confidence marks) → severity, as Clair v2 maps it. */
export function severityFromDebianUrgency(urgency: string | undefined): Severity {
  const value = (urgency ?? '').replace(/\*+$/, '').trim();
  if (value === 'unimportant') return 'Negligible';
  if (value === 'low') return 'Low';
  if (value === 'medium') return 'Medium';
  if (value === 'high') return 'High';
  return 'Unknown'; // "not yet assigned", "end-of-life"
}

/** Ubuntu CVE tracker priority → severity. */
export function severityFromUbuntuPriority(priority: string | undefined): Severity {
  switch ((priority ?? '').toLowerCase()) {
    case 'negligible':
      return 'Negligible';
    case 'low':
      return 'Low';
    case 'medium':
      return 'Medium';
    case 'high':
      return 'High';
    case 'critical':
      return 'Critical';
    default:
      return 'Unknown';
  }
}

/** NVD's CVSS v3 ratings (FIRST): 0.1–3.9 Low, 4.0–6.9 Medium, 7.0–8.9 High, 9.0–10 Critical. */
export function severityFromCvss3(score: number): Severity {
  if (score >= 9) return 'Critical';
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  if (score > 0) return 'Low';
  return 'Unknown';
}

/** NVD's CVSS v2 ratings: 0–3.9 Low, 4.0–6.9 Medium, 7.0–10 High. */
export function severityFromCvss2(score: number): Severity {
  if (score >= 7) return 'High';
  if (score >= 4) return 'Medium';
  return 'Low';
}

/**
 * Clair v2's own CVSS v2 cut-offs (ext/vulnmdsrc/nvd): < 1 Negligible, < 3.9 Low, < 6.9 Medium,
 * < 8.9 High, else Critical — note 3.9 is Medium and 6.9 High. Used by `--severity-mode clair`.
 */
export function severityFromCvss2Clair(score: number): Severity {
  if (score < 1) return 'Negligible';
  if (score < 3.9) return 'Low';
  if (score < 6.9) return 'Medium';
  if (score < 8.9) return 'High';
  return 'Critical';
}
