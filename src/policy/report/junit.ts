/**
 * JUnit XML for CI systems that show test reports: one test suite per object, one failing test
 * case per finding (a passing case when the object is clean), skips as skipped cases.
 */
import { describeRef, type PolicyReport } from '../model.js';

function escape(value: string): string {
  return value.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

export function junitReport(report: PolicyReport): string {
  const key = (ref: { kind: string; namespace?: string; name: string }): string =>
    `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const { object, source } of report.objects) {
    const findings = report.findings.filter((f) => key(f.object) === key(object));
    const skips = report.skipped.filter((s) => key(s.object) === key(object));
    const cases = findings.map(
      (f) =>
        `    <testcase classname="${escape(describeRef(object))}" name="${escape(f.check)}" file="${escape(source.file)}">\n` +
        `      <failure type="${f.severity}" message="${escape(f.message)}">${escape(`${f.severity}: ${f.message}${f.path === undefined ? '' : ` (${f.path})`}`)}</failure>\n` +
        `    </testcase>`,
    );
    cases.push(
      ...skips.map(
        (s) =>
          `    <testcase classname="${escape(describeRef(object))}" name="${escape(s.check)}"><skipped message="${escape(s.reason)}"/></testcase>`,
      ),
    );
    if (findings.length === 0)
      cases.push(
        `    <testcase classname="${escape(describeRef(object))}" name="policy" file="${escape(source.file)}"/>`,
      );
    tests += cases.length;
    failures += findings.length;
    skipped += skips.length;
    suites.push(
      `  <testsuite name="${escape(describeRef(object))}" tests="${cases.length}" failures="${findings.length}" skipped="${skips.length}" file="${escape(source.file)}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="chartroom policy" tests="${tests}" failures="${failures}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
