/** clair-scanner's `--report` JSON, so tooling built around it keeps working. */
import type { GateResult } from '../gate/gate.js';
import type { ScanResult } from '../scan.js';

export interface ClairReport {
  image: string;
  unapproved: string[];
  vulnerabilities: {
    featurename: string;
    featureversion: string;
    vulnerability: string;
    namespace: string;
    description: string;
    link: string;
    severity: string;
    fixedby: string;
  }[];
}

export function clairReport(result: ScanResult, gated: GateResult): ClairReport {
  return {
    image: result.image.reference,
    unapproved: gated.unapproved,
    vulnerabilities: gated.findings.map((finding) => ({
      featurename: finding.pkgName,
      featureversion: finding.installedVersion,
      vulnerability: finding.vulnerabilityId,
      namespace: result.os?.namespace ?? '',
      description: finding.description ?? finding.title ?? '',
      link: finding.primaryUrl ?? '',
      severity: finding.severity,
      fixedby: finding.fixedVersion ?? '',
    })),
  };
}
