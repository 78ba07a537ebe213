/** Shared shapes for check implementations: per-container iteration and result constructors. */
import type { CheckResult, Manifest, Severity } from '../model.js';
import { containersOf, podTemplateOf, type ContainerRef, type PodTemplate } from '../workload.js';

export function fail(
  message: string,
  extra: { container?: string; path?: string; severity?: Severity } = {},
): CheckResult {
  return { status: 'fail', message, ...extra };
}

export const pass: CheckResult = { status: 'pass' };

export function skip(reason: string): CheckResult {
  return { status: 'skip', reason };
}

export interface ContainerScope {
  init?: boolean;
  /** Kinds to leave out (Polaris leaves Jobs out of probe checks). */
  excludeKinds?: readonly string[];
}

/** What a per-container test says: nothing (pass), a message, or a message with its own severity. */
export type ContainerVerdict = string | { message: string; severity: Severity } | undefined;

/**
 * Runs `test` over every container of a workload: its message fails that container, undefined
 * passes it. Objects without pods give no results (the check does not apply).
 */
export function perContainer(
  manifest: Manifest,
  scope: ContainerScope,
  test: (container: ContainerRef, template: PodTemplate) => ContainerVerdict,
): CheckResult[] {
  if (scope.excludeKinds?.includes(manifest.kind) === true) return [];
  const template = podTemplateOf(manifest);
  if (template === undefined) return [];
  return containersOf(template, { init: scope.init === true }).map((ref) => {
    const verdict = test(ref, template);
    if (verdict === undefined) return pass;
    const where = { container: ref.name, path: ref.path };
    return typeof verdict === 'string'
      ? fail(verdict, where)
      : fail(verdict.message, { ...where, severity: verdict.severity });
  });
}

/** Runs `test` once per pod template. */
export function perPod(
  manifest: Manifest,
  test: (template: PodTemplate) => CheckResult[] | string | undefined,
): CheckResult[] {
  const template = podTemplateOf(manifest);
  if (template === undefined) return [];
  const result = test(template);
  if (Array.isArray(result)) return result;
  return result === undefined ? [pass] : [fail(result, { path: template.specPath })];
}

export function optionNumber(
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: number,
): number {
  const value = options[key];
  return typeof value === 'number' ? value : fallback;
}

export function optionBool(
  options: Readonly<Record<string, unknown>>,
  key: string,
  fallback: boolean,
): boolean {
  const value = options[key];
  return typeof value === 'boolean' ? value : fallback;
}

/** Whether a check configured with a `kinds` option (Deployments and StatefulSets by default) applies. */
export function kindSelected(
  options: Readonly<Record<string, unknown>>,
  kind: string,
  fallback: readonly string[] = ['Deployment', 'StatefulSet'],
): boolean {
  const kinds = Array.isArray(options.kinds) ? options.kinds.map(String) : fallback;
  return kinds.includes(kind);
}
