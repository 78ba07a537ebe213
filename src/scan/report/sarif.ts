/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per vulnerability, one result per affected
 * package. Levels and `security-severity` follow Trivy's mapping (error for High and above,
 * warning for Medium, note below; CVSS v3 score when known, else a fixed score per severity).
 */
import { packageInfo } from '../../core/package-info.js';
import type { GateResult, GatedFinding } from '../gate/gate.js';
import type { ScanResult } from '../scan.js';
import type { Severity } from '../severity.js';

const fallbackScore: Record<Severity, string> = {
  Defcon1: '10.0',
  Critical: '9.5',
  High: '8.0',
  Medium: '5.5',
  Low: '2.0',
  Negligible: '1.0',
  Unknown: '0.0',
};

function level(severity: Severity): 'error' | 'warning' | 'note' {
  if (severity === 'Critical' || severity === 'High' || severity === 'Defcon1') return 'error';
  if (severity === 'Medium') return 'warning';
  return 'note';
}

function score(finding: GatedFinding): string {
  const v3 = Object.values(finding.cvss ?? {}).find((c) => c.v3Score !== undefined)?.v3Score;
  return v3 === undefined ? fallbackScore[finding.severity] : v3.toFixed(1);
}

export function sarifReport(result: ScanResult, gated: GateResult): object {
  const rules = new Map<string, object>();
  const target = result.image.repoTags[0] ?? result.image.reference;
  for (const finding of gated.findings) {
    if (rules.has(finding.vulnerabilityId)) continue;
    rules.set(finding.vulnerabilityId, {
      id: finding.vulnerabilityId,
      name: 'OsPackageVulnerability',
      shortDescription: { text: finding.title ?? finding.vulnerabilityId },
      fullDescription: { text: finding.description ?? finding.title ?? finding.vulnerabilityId },
      defaultConfiguration: { level: level(finding.severity) },
      ...(finding.primaryUrl === undefined ? {} : { helpUri: finding.primaryUrl }),
      help: {
        text: `Vulnerability ${finding.vulnerabilityId}\nSeverity: ${finding.severity}\nPackage: ${finding.pkgName}\nFixed version: ${finding.fixedVersion ?? 'none'}`,
      },
      properties: {
        tags: ['vulnerability', 'security', finding.severity.toUpperCase()],
        precision: 'very-high',
        'security-severity': score(finding),
      },
    });
  }
  const ruleIds = [...rules.keys()];
  return {
    version: '2.1.0',
    $schema:
      'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'chartroom-scan',
            informationUri: 'https://github.com/chartroom',
            version: packageInfo().version,
            rules: [...rules.values()],
          },
        },
        results: gated.findings.map((finding) => ({
          ruleId: finding.vulnerabilityId,
          ruleIndex: ruleIds.indexOf(finding.vulnerabilityId),
          level: level(finding.severity),
          message: {
            text: `Package: ${finding.pkgName}\nInstalled Version: ${finding.installedVersion}\nVulnerability ${finding.vulnerabilityId}\nSeverity: ${finding.severity}\nFixed Version: ${finding.fixedVersion ?? ''}\nLink: ${finding.primaryUrl ?? ''}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: target, uriBaseId: 'ROOTPATH' },
                region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
              },
              message: { text: `${target}: ${finding.pkgName}@${finding.installedVersion}` },
            },
          ],
          ...(finding.approved
            ? {
                suppressions: [
                  { kind: 'external', justification: finding.approvalNote ?? finding.approval ?? 'approved' },
                ],
              }
            : {}),
        })),
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
      },
    ],
  };
}
