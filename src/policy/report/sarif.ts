/** SARIF 2.1.0, as GitHub code scanning and most CI dashboards read it. */
import { describeRef, type PolicyReport } from '../model.js';
import type { RenderOptions } from './index.js';

export function sarifReport(report: PolicyReport, options: RenderOptions): object {
  const used = new Set(report.findings.map((f) => f.check));
  const rules = options.checks
    .filter((c) => used.has(c.id))
    .map((c) => ({
      id: c.id,
      name: c.title,
      shortDescription: { text: c.title },
      fullDescription: { text: c.why },
      help: { text: c.fix },
      defaultConfiguration: { level: c.severity === 'danger' ? 'error' : 'warning' },
      properties: { family: c.family },
    }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'chartroom-policy', version: options.version, rules } },
        results: report.findings.map((f) => ({
          ruleId: f.check,
          ruleIndex: ruleIndex.get(f.check),
          level: f.severity === 'danger' ? 'error' : 'warning',
          message: { text: `${describeRef(f.object)}: ${f.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.source.file },
                region: { startLine: f.source.line },
              },
              logicalLocations: [
                {
                  fullyQualifiedName: `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}${f.path === undefined ? '' : `#${f.path}`}`,
                  kind: 'object',
                },
              ],
            },
          ],
        })),
      },
    ],
  };
}
