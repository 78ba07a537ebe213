/** The human report: findings grouped by object, each with where to look and what to do. */
import { describeRef, type Finding, type PolicyReport } from '../model.js';

type Paint = (color: 'red' | 'yellow' | 'dim' | 'bold' | 'green', text: string) => string;

export function textReport(report: PolicyReport, paint: Paint): string {
  const lines: string[] = [];
  const groups = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const key = `${finding.source.file}:${finding.source.line} ${describeRef(finding.object)}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [finding]);
    else list.push(finding);
  }
  for (const [key, findings] of groups) {
    lines.push(paint('bold', key));
    for (const f of findings) {
      const severity = f.severity === 'danger' ? paint('red', 'DANGER ') : paint('yellow', 'WARNING');
      lines.push(`  ${severity} ${f.check}: ${f.message}`);
    }
    lines.push('');
  }
  const { danger, warning } = report.summary;
  const objects = report.objects.length;
  if (report.findings.length === 0) {
    lines.push(
      paint(
        'green',
        `no findings in ${objects} object${objects === 1 ? '' : 's'} (${report.checks.length} checks)`,
      ),
    );
  } else {
    lines.push(
      `${danger} danger, ${warning} warning in ${groups.size} of ${objects} object${objects === 1 ? '' : 's'} (${report.checks.length} checks); ` +
        paint('dim', '`chartroom policy explain <check>` says why and how to fix'),
    );
  }
  return lines.join('\n') + '\n';
}
