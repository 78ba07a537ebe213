/**
 * Runs Chartroom over the anchors' own fixture suites and compares verdicts, case by case, for
 * every anchor check that has a mapping (anchors.ts). The anchors' run settings (kube-score's
 * runConfig, kube-linter's --include, Polaris's one-check config) are translated into a Chartroom
 * config; nothing about the expected result is fed in.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { anchorMapping, type AnchorMapping, type AnchorTool } from '../anchors.js';
import { allChecks } from '../checks/index.js';
import { resolveConfig } from '../config.js';
import { runChecks } from '../engine.js';
import { allIgnoreAnnotations } from '../ignore.js';
import { parseManifests } from '../loader/parse.js';
import type { Manifest, PolicyReport } from '../model.js';
import { podTemplateOf } from '../workload.js';
import { fixturesRoot, readExpectations } from './fixtures.js';

export interface CaseOutcome {
  tool: AnchorTool;
  anchor: string;
  /** Fixture file(s) relative to the tool's folder. */
  file: string;
  /** A stable key for the disagreement table: `tool:anchor:file[#n]`. */
  key: string;
  expected: string;
  actual: string;
  agree: boolean;
}

export interface ToolConformance {
  tool: AnchorTool;
  /** Cases whose anchor check has a Chartroom mapping. */
  compared: CaseOutcome[];
  /** Cases of anchor checks Chartroom does not map (custom checks, schema validation, …). */
  unmapped: { anchor: string; file: string }[];
}

function load(tool: AnchorTool, files: readonly string[]): Manifest[] {
  return files.flatMap((file) =>
    parseManifests(readFileSync(resolve(fixturesRoot, tool, file), 'utf8'), file),
  );
}

interface RunSpec {
  mapping: AnchorMapping;
  manifests: Manifest[];
  kubernetesVersion?: string;
  ignoreAnnotations?: Partial<typeof allIgnoreAnnotations>;
  /** Per-check option overrides on top of the mapping's. */
  options?: Record<string, Record<string, unknown>>;
  disabled?: readonly string[];
}

function runMapped(spec: RunSpec): PolicyReport {
  const checks = spec.mapping.targets
    .map((target) => target.check)
    .filter((id) => !(spec.disabled ?? []).includes(id));
  const config = resolveConfig({ only: checks, kubernetesVersion: spec.kubernetesVersion ?? '1.36' });
  for (const target of spec.mapping.targets) {
    config.options.set(target.check, { ...target.options, ...spec.options?.[target.check] });
  }
  config.ignoreAnnotations = { ...allIgnoreAnnotations, ...spec.ignoreAnnotations };
  return runChecks({ manifests: spec.manifests, checks: allChecks, config });
}

// ---------------------------------------------------------------- Polaris

interface PolarisCase {
  check: string;
  file: string;
  role: 'audit' | 'mutated';
  expected: 'failure' | 'success';
}

export function polarisConformance(): ToolConformance {
  const { cases } = readExpectations('polaris') as { cases: PolarisCase[] };
  const out: ToolConformance = { tool: 'polaris', compared: [], unmapped: [] };
  for (const c of cases) {
    if (c.role !== 'audit') continue;
    const mapping = anchorMapping('polaris', c.check);
    if (mapping === undefined) {
      out.unmapped.push({ anchor: c.check, file: c.file });
      continue;
    }
    const report = runMapped({ mapping, manifests: load('polaris', [c.file]) });
    const actual = report.findings.length > 0 ? 'failure' : 'success';
    out.compared.push({
      tool: 'polaris',
      anchor: c.check,
      file: c.file,
      key: `polaris:${c.check}:${c.file}`,
      expected: c.expected,
      actual,
      agree: actual === c.expected,
    });
  }
  return out;
}

// ---------------------------------------------------------------- kube-score

interface KubeScoreCase {
  helper: string;
  goTest: string;
  files: string[];
  check?: string;
  checkId?: string;
  runConfig: Record<string, unknown> | null;
  checksConfig: { IgnoredTests?: string[] } | null;
  expectedGrade?: number;
  expectedSkipped?: boolean | null;
  expectedSummariesContain?: string[];
  checkResults?: { checkId: string; expectedSkipped: boolean; expectedGrade?: number }[];
}

const kubeScoreOptional = new Set([
  'container-resource-requests-equal-limits',
  'container-cpu-requests-equal-limits',
  'container-memory-requests-equal-limits',
  'container-ephemeral-storage-request-equals-limit',
  'container-ports-check',
  'container-seccomp-profile',
]);

const gradeValue = { critical: 1, warning: 5, 'almost-ok': 7 } as const;

export function kubeScoreId(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '-');
}

interface KubeScoreVerdict {
  /** kube-score's grade (10 = all OK); a check skipped as not relevant keeps grade 10. */
  grade: number;
  skipped: boolean;
}

function annotatedEnable(manifests: readonly Manifest[], anchor: string): boolean {
  return manifests.some((m) => {
    const template = podTemplateOf(m);
    return [m.annotations['kube-score/enable'], template?.annotations['kube-score/enable']].some(
      (v) =>
        v
          ?.split(',')
          .map((s) => s.trim())
          .includes(anchor) === true,
    );
  });
}

function kubeScoreVerdict(c: KubeScoreCase, anchor: string, mapping: AnchorMapping): KubeScoreVerdict {
  const run = c.runConfig ?? {};
  // testExpectedScore sets only the Kubernetes version; the other helpers leave every field
  // not written in the test at Go's zero value (see configSemantics in expectations.json).
  const testExpectedScore = c.helper === 'testExpectedScore';
  const manifests = load(
    'kube-score',
    c.files.map((f) => `testdata/${f}`),
  );
  const enabled = new Set((run.EnabledOptionalTests as string[] | undefined) ?? []);
  const optionalOff =
    kubeScoreOptional.has(anchor) &&
    !enabled.has(anchor) &&
    !(run.UseOptionalChecksAnnotation === true && annotatedEnable(manifests, anchor));
  if ((c.checksConfig?.IgnoredTests ?? []).includes(anchor)) return { grade: 0, skipped: true };
  const disabled = [
    ...(run.IgnoreContainerCpuLimitRequirement === true ? ['cpu-limit-missing'] : []),
    ...(run.IgnoreContainerMemoryLimitRequirement === true ? ['memory-limit-missing'] : []),
  ];
  const report = runMapped({
    mapping,
    manifests,
    kubernetesVersion: typeof run.KubernetesVersion === 'string' ? run.KubernetesVersion : '0.0',
    disabled,
    ignoreAnnotations: {
      'kube-score': !testExpectedScore && run.UseIgnoreChecksAnnotation === true,
      chartroom: false,
      polaris: false,
      'kube-linter': false,
    },
    options: {
      replicas: {
        minReplicas: typeof run.MinReplicasDeployment === 'number' ? run.MinReplicasDeployment : 0,
      },
      'hpa-min-replicas': { minReplicas: typeof run.MinReplicasHPA === 'number' ? run.MinReplicasHPA : 0 },
    },
  });
  // kube-score still grades an optional check it did not enable, and marks it skipped.
  const skipped =
    optionalOff || (report.findings.length === 0 && report.skipped.length > 0 && report.summary.passed === 0);
  if (report.findings.length === 0) return { grade: 10, skipped };
  const grades = report.findings.map((f) => {
    const grade =
      mapping.targets.find((target) => target.check === f.check)?.grade ??
      (f.severity === 'danger' ? 'critical' : 'warning');
    return gradeValue[grade];
  });
  return { grade: Math.min(...grades), skipped };
}

export function kubeScoreConformance(): ToolConformance {
  const { cases } = readExpectations('kube-score') as { cases: KubeScoreCase[] };
  const out: ToolConformance = { tool: 'kube-score', compared: [], unmapped: [] };
  const seen = new Map<string, number>();
  const push = (
    anchor: string,
    c: KubeScoreCase,
    expected: string,
    mapping: AnchorMapping | undefined,
  ): void => {
    const file = c.files.join('+');
    if (mapping === undefined) {
      out.unmapped.push({ anchor, file });
      return;
    }
    const base = `kube-score:${anchor}:${file}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const verdict = kubeScoreVerdict(c, anchor, mapping);
    const actual =
      expected === 'skipped'
        ? verdict.skipped
          ? 'skipped'
          : `grade ${verdict.grade}`
        : `grade ${verdict.grade}`;
    out.compared.push({
      tool: 'kube-score',
      anchor,
      file,
      key: n === 1 ? base : `${base}#${n}`,
      expected,
      actual,
      agree: actual === expected,
    });
  };
  for (const c of cases) {
    if (c.checkResults !== undefined) {
      for (const r of c.checkResults)
        push(
          r.checkId,
          c,
          r.expectedSkipped ? 'skipped' : `grade ${String(r.expectedGrade)}`,
          anchorMapping('kube-score', r.checkId),
        );
      continue;
    }
    const anchor = c.checkId ?? (c.check === undefined ? undefined : kubeScoreId(c.check));
    if (anchor === undefined) continue; // parse-only cases are covered by the loader tests
    let expected: string | undefined;
    if (c.expectedSkipped === true) expected = 'skipped';
    else if (typeof c.expectedGrade === 'number') expected = `grade ${c.expectedGrade}`;
    else if (c.expectedSkipped === false) expected = 'not skipped';
    else if (c.expectedSummariesContain !== undefined) expected = 'skipped';
    if (expected === undefined) continue; // the Go test asserts nothing about the verdict
    const mapping = anchorMapping('kube-score', anchor);
    if (expected === 'not skipped' && mapping !== undefined) {
      const verdict = kubeScoreVerdict(c, anchor, mapping);
      const file = c.files.join('+');
      const actual = verdict.skipped ? 'skipped' : 'not skipped';
      out.compared.push({
        tool: 'kube-score',
        anchor,
        file,
        key: `kube-score:${anchor}:${file}:not-skipped`,
        expected,
        actual,
        agree: actual === expected,
      });
      continue;
    }
    push(anchor, c, expected, mapping);
  }
  return out;
}

// ---------------------------------------------------------------- kube-linter

interface KubeLinterTest {
  test: string;
  include: string[];
  config: string | null;
  localFile: string;
  expectedCount: number | null;
  reports: { index: number; format: string; op: string; expected: string }[];
}

export function kubeLinterConformance(): ToolConformance {
  const { tests } = readExpectations('kube-linter') as { tests: KubeLinterTest[] };
  const out: ToolConformance = { tool: 'kube-linter', compared: [], unmapped: [] };
  for (const test of tests) {
    const anchor = test.include[0] ?? test.test;
    const mapping =
      test.config === null && test.include.length === 1 ? anchorMapping('kube-linter', anchor) : undefined;
    if (mapping === undefined) {
      out.unmapped.push({ anchor, file: test.localFile });
      continue;
    }
    const report = runMapped({ mapping, manifests: load('kube-linter', [test.localFile]) });
    // The verdict: how many reports, and on which kinds of objects (and names, where asserted).
    const kinds = report.findings.map((f) => f.object.kind).sort();
    const names = report.findings.map((f) => f.object.name).sort();
    const expectedKinds = [
      ...new Set(test.reports.filter((r) => r.format.startsWith('Kind')).map((r) => r.index)),
    ]
      .map(
        (i) =>
          test.reports.find((r) => r.index === i && r.format.startsWith('Kind'))?.expected.split(/[: ]/)[0] ??
          '',
      )
      .sort();
    const expectedNames = test.reports
      .filter((r) => r.format === 'Name')
      .map((r) => r.expected)
      .sort();
    const count = test.expectedCount ?? expectedKinds.length;
    const kindsOk = expectedKinds.every(
      (k) => kinds.filter((x) => x === k).length >= expectedKinds.filter((x) => x === k).length,
    );
    const namesOk = expectedNames.every((n) => names.includes(n));
    const expected = `${count} report(s) on ${expectedKinds.join(',') || '-'}`;
    const actual = `${report.findings.length} report(s) on ${kinds.join(',') || '-'}`;
    out.compared.push({
      tool: 'kube-linter',
      anchor,
      file: test.localFile,
      key: `kube-linter:${anchor}:${test.localFile}`,
      expected,
      actual,
      agree: report.findings.length === count && kindsOk && namesOk,
    });
  }
  return out;
}

export function allConformance(): ToolConformance[] {
  return [kubeScoreConformance(), polarisConformance(), kubeLinterConformance()];
}
