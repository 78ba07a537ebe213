/**
 * Runs the checks over a set of manifests: decides which checks are on (config, optional checks,
 * `only`), applies ignore annotations, resolves severities, and collects findings and skips.
 */
import { resolveConfig, type PolicyConfig } from './config.js';
import { enabledByAnnotation, ignoresOf } from './ignore.js';
import { isWorkload } from './workload.js';
import {
  refOf,
  type CheckContext,
  type CheckDefinition,
  type Finding,
  type Manifest,
  type ObjectIndexView,
  type PolicyReport,
  type Skip,
} from './model.js';

/** Lookups by kind, namespace and name, built once per run so cross-object checks stay linear. */
export class ObjectIndex implements ObjectIndexView {
  private readonly kinds = new Map<string, Manifest[]>();
  private readonly namespaced = new Map<string, Manifest[]>();
  private readonly workloads = new Map<string, Manifest[]>();
  private readonly named = new Map<string, Manifest>();

  constructor(readonly all: readonly Manifest[]) {
    const push = (map: Map<string, Manifest[]>, key: string, manifest: Manifest): void => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [manifest]);
      else list.push(manifest);
    };
    for (const manifest of all) {
      const ns = manifest.namespace ?? 'default';
      push(this.kinds, manifest.kind, manifest);
      push(this.namespaced, `${manifest.kind}\u0000${ns}`, manifest);
      if (isWorkload(manifest)) push(this.workloads, ns, manifest);
      const key = `${manifest.kind}\u0000${ns}\u0000${manifest.name}`;
      if (!this.named.has(key)) this.named.set(key, manifest);
    }
  }

  byKind(kind: string): readonly Manifest[] {
    return this.kinds.get(kind) ?? [];
  }

  inNamespace(kind: string, namespace: string | undefined): readonly Manifest[] {
    return this.namespaced.get(`${kind}\u0000${namespace ?? 'default'}`) ?? [];
  }

  workloadsIn(namespace: string | undefined): readonly Manifest[] {
    return this.workloads.get(namespace ?? 'default') ?? [];
  }

  find(kind: string, name: string, namespace: string | undefined): Manifest | undefined {
    return this.named.get(`${kind}\u0000${namespace ?? 'default'}\u0000${name}`);
  }
}

export interface RunChecksOptions {
  manifests: readonly Manifest[];
  checks: readonly CheckDefinition[];
  config?: PolicyConfig;
  signal?: AbortSignal;
}

/** Is the check on for this object: not ignored in config, and optional ones enabled. */
function isOn(check: CheckDefinition, config: PolicyConfig, annotated: ReadonlySet<string>): boolean {
  if (config.only !== undefined) return config.only.has(check.id);
  if (config.severity.get(check.id) === 'ignore') return false;
  if (check.optional !== true) return true;
  return config.enable.has(check.id) || annotated.has(check.id);
}

export function runChecks(options: RunChecksOptions): PolicyReport {
  const config = options.config ?? resolveConfig();
  const index = new ObjectIndex(options.manifests);
  const findings: Finding[] = [];
  const skipped: Skip[] = [];
  const ran = new Set<string>();
  let passed = 0;
  // Each check's context is the same for every object: build it once.
  const contexts = new Map<string, CheckContext>(
    options.checks.map((check) => [
      check.id,
      { index, options: config.options.get(check.id) ?? {}, settings: config.settings },
    ]),
  );
  for (const manifest of options.manifests) {
    options.signal?.throwIfAborted();
    const ignored = ignoresOf(manifest, config.ignoreAnnotations);
    const annotated = enabledByAnnotation(manifest, config.ignoreAnnotations);
    const ref = refOf(manifest);
    for (const check of options.checks) {
      if (!isOn(check, config, annotated)) continue;
      ran.add(check.id);
      const results = check.run(
        manifest,
        contexts.get(check.id) ?? { index, options: {}, settings: config.settings },
      );
      const ignoredBecause = ignored(check.id);
      if (ignoredBecause !== undefined) {
        // Only report the skip where the check would have said something.
        if (results.length > 0)
          skipped.push({ check: check.id, object: ref, reason: `ignored by ${ignoredBecause}` });
        continue;
      }
      const configured = config.severity.get(check.id);
      for (const result of results) {
        switch (result.status) {
          case 'pass':
            passed += 1;
            break;
          case 'skip':
            skipped.push({ check: check.id, object: ref, reason: result.reason });
            break;
          case 'fail':
            findings.push({
              check: check.id,
              title: check.title,
              // Config wins; else the result's own (a check may grade its cases); else the default.
              severity:
                configured === undefined || configured === 'ignore'
                  ? (result.severity ?? check.severity)
                  : configured,
              message: result.message,
              object: ref,
              ...(result.container === undefined ? {} : { container: result.container }),
              ...(result.path === undefined ? {} : { path: result.path }),
              source: manifest.source,
            });
            break;
        }
      }
    }
  }
  return {
    findings,
    skipped,
    objects: options.manifests.map((m) => ({ object: refOf(m), source: m.source })),
    checks: [...ran].sort(),
    summary: {
      danger: findings.filter((f) => f.severity === 'danger').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      passed,
    },
  };
}
