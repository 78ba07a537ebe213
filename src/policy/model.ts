/**
 * The vocabulary of the policy capability: the manifests it reads, the checks it runs over them,
 * and the findings it reports. Everything else in src/policy works in these terms.
 */

/** A parsed YAML/JSON mapping; manifests are read as plain data, never as typed client objects. */
export type Json = Record<string, unknown>;

/** Where a manifest came from, for reports that point at a file and line. */
export interface SourceLocation {
  /** The file as given (or the chart template named by Helm's `# Source:` comment); `-` for stdin. */
  file: string;
  /** 1-based line of the document's first line. */
  line: number;
}

/** One Kubernetes (or kops) object as read from a manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The whole document as parsed. */
  doc: Json;
  source: SourceLocation;
}

/**
 * `warning`: worth fixing; `danger`: will hurt in production. `ignore` (config only) turns a check
 * off. The names are Polaris's so a Polaris config's severities read the same.
 */
export type Severity = 'warning' | 'danger';

/** What one check says about one object (or one container of it). */
export type CheckResult =
  | { status: 'fail'; message: string; container?: string; path?: string; severity?: Severity }
  | { status: 'pass' }
  | { status: 'skip'; reason: string };

export type CheckFamily =
  | 'resources'
  | 'probes'
  | 'images'
  | 'security'
  | 'host'
  | 'availability'
  | 'autoscaling'
  | 'scheduling'
  | 'networking'
  | 'api'
  | 'rbac'
  | 'workloads'
  | 'configuration'
  | 'startup'
  | 'rollout'
  | 'spot';

export interface CheckDefinition {
  /** Stable kebab-case id, used in config, ignore annotations and reports. */
  id: string;
  title: string;
  family: CheckFamily;
  severity: Severity;
  /** Off unless enabled in config (like kube-score's optional and kube-linter's non-default checks). */
  optional?: boolean;
  /** Why it matters and how to fix it: shown by `policy explain` and in docs/policy.md. */
  why: string;
  fix: string;
  /** Runs over one object; an empty result means the check does not apply to it. */
  run(manifest: Manifest, context: CheckContext): CheckResult[];
}

/** What a check may look at besides its object: every other object, and its own options. */
export interface CheckContext {
  index: ObjectIndexView;
  /** Options for this check from the config file (each check documents its own). */
  options: Readonly<Record<string, unknown>>;
  settings: PolicySettings;
}

/** Cluster-wide assumptions that change what some checks say. */
export interface PolicySettings {
  /** `major.minor` the manifests will be applied to; decides which apiVersions are removed. */
  kubernetesVersion: string;
}

/** Lookups across every object of one run (selectors, references). */
export interface ObjectIndexView {
  readonly all: readonly Manifest[];
  byKind(kind: string): readonly Manifest[];
  /** Objects of a kind in one namespace (absent = `default`). */
  inNamespace(kind: string, namespace: string | undefined): readonly Manifest[];
  /** Pod-owning objects (Pods, Deployments, …) in one namespace. */
  workloadsIn(namespace: string | undefined): readonly Manifest[];
  find(kind: string, name: string, namespace: string | undefined): Manifest | undefined;
}

export interface Finding {
  check: string;
  title: string;
  severity: Severity;
  message: string;
  object: ObjectRef;
  container?: string;
  path?: string;
  source: SourceLocation;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A check that did not run on an object, and why (ignored by annotation, not relevant). */
export interface Skip {
  check: string;
  object: ObjectRef;
  reason: string;
}

export interface PolicyReport {
  findings: Finding[];
  skipped: Skip[];
  /** Every object read, in input order. */
  objects: { object: ObjectRef; source: SourceLocation }[];
  checks: string[];
  summary: { danger: number; warning: number; passed: number };
}

export function refOf(manifest: Manifest): ObjectRef {
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    name: manifest.name,
    ...(manifest.namespace === undefined ? {} : { namespace: manifest.namespace }),
  };
}

export function describeRef(ref: ObjectRef): string {
  const ns = ref.namespace === undefined ? '' : `${ref.namespace}/`;
  return `${ref.kind} ${ns}${ref.name}`;
}
