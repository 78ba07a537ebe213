/**
 * Runs the checks over a set of manifests: decides which checks are on (config, optional checks,
 * `only`), applies ignore annotations, resolves severities, and collects findings and skips.
 */
import { resolveConfig, type PolicyConfig } from './config.js';
import { enabledByAnnotation, ignoresOf } from './ignore.js';
import {
  refOf,
  type CheckDefinition,
  type Finding,
  type Manifest,
  type ObjectIndexView,
  type PolicyReport,
  type Skip,
} from './model.js';

export class ObjectIndex implements ObjectIndexView {
  private readonly kinds = new Map<string, Manifest[]>();

  constructor(readonly all: readonly Manifest[]) {
    for (const manifest of all) {
      const list = this.kinds.get(manifest.kind);
      if (list === undefined) this.kinds.set(manifest.kind, [manifest]);
      else list.push(manifest);
    }
  }

  byKind(kind: string): readonly Manifest[] {
    return this.kinds.get(kind) ?? [];
  }

  find(kind: string, name: string, namespace: string | undefined): Manifest | undefined {
    return this.byKind(kind).find(
      (m) => m.name === name && (m.namespace ?? 'default') === (namespace ?? 'default'),
    );
  }
}

export interface RunChecksOptions {
  manifests: readonly Manifest[];
  checks: readonly CheckDefinition[];
  config?: PolicyConfig;
  signal?: AbortSignal;
}

/** Is the check on for this object: not ignored in config, and optional ones enabled. */
function isOn(check: CheckDefinition, config: PolicyConfig, manifest: Manifest): boolean {
  if (config.only !== undefined) return config.only.has(check.id);
  if (config.severity.get(check.id) === 'ignore') return false;
  if (check.optional !== true) return true;
  return (
    config.enable.has(check.id) ||
    (config.ignoreAnnotations['kube-score'] && enabledByAnnotation(manifest, check.id))
  );
}

export function runChecks(options: RunChecksOptions): PolicyReport {
  const config = options.config ?? resolveConfig();
  const index = new ObjectIndex(options.manifests);
  const findings: Finding[] = [];
  const skipped: Skip[] = [];
  const ran = new Set<string>();
  let passed = 0;
  for (const manifest of options.manifests) {
    options.signal?.throwIfAborted();
    const ignored = ignoresOf(manifest, config.ignoreAnnotations);
    for (const check of options.checks) {
      if (!isOn(check, config, manifest)) continue;
      ran.add(check.id);
      const ignoredBecause = ignored(check.id);
      if (ignoredBecause !== undefined) {
        // Only report the skip where the check would have said something.
        const results = check.run(manifest, {
          index,
          options: config.options.get(check.id) ?? {},
          settings: config.settings,
        });
        if (results.length > 0)
          skipped.push({ check: check.id, object: refOf(manifest), reason: `ignored by ${ignoredBecause}` });
        continue;
      }
      const results = check.run(manifest, {
        index,
        options: config.options.get(check.id) ?? {},
        settings: config.settings,
      });
      const configured = config.severity.get(check.id);
      for (const result of results) {
        switch (result.status) {
          case 'pass':
            passed += 1;
            break;
          case 'skip':
            skipped.push({ check: check.id, object: refOf(manifest), reason: result.reason });
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
              object: refOf(manifest),
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
