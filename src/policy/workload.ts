/**
 * Where the pod lives in each workload kind, and the label-selector semantics Kubernetes uses to
 * tie Services, PDBs, NetworkPolicies and HPAs to pods.
 */
import { labelSelectorMatches } from '../kube/selector.js';
import { arr, isObject, obj, objs, str, stringMap } from './json.js';
import type { Json, Manifest, ObjectIndexView } from './model.js';

/** Kinds whose spec.template is a pod template (DeploymentConfig is OpenShift's Deployment). */
const templateKinds = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'DeploymentConfig',
]);

/** Kinds that own pods through a template, as Polaris and kube-score call "controllers". */
export function isWorkload(manifest: Manifest): boolean {
  return manifest.kind === 'Pod' || manifest.kind === 'CronJob' || templateKinds.has(manifest.kind);
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Json;
  /** JSON path of the pod spec inside the object, for reports. */
  specPath: string;
}

// Checks ask for the same pod template many times per object; compute it once.
const templates = new WeakMap<Manifest, PodTemplate | null>();

export function podTemplateOf(manifest: Manifest): PodTemplate | undefined {
  let cached = templates.get(manifest);
  if (cached === undefined) {
    cached = readPodTemplate(manifest) ?? null;
    templates.set(manifest, cached);
  }
  return cached ?? undefined;
}

function readPodTemplate(manifest: Manifest): PodTemplate | undefined {
  const doc = manifest.doc;
  if (manifest.kind === 'Pod') {
    const spec = obj(doc, 'spec');
    if (spec === undefined) return undefined;
    return { labels: manifest.labels, annotations: manifest.annotations, spec, specPath: 'spec' };
  }
  let template: Json | undefined;
  let base: string;
  if (manifest.kind === 'CronJob') {
    template = obj(doc, 'spec.jobTemplate.spec.template');
    base = 'spec.jobTemplate.spec.template';
  } else if (templateKinds.has(manifest.kind)) {
    template = obj(doc, 'spec.template');
    base = 'spec.template';
  } else {
    return undefined;
  }
  if (template === undefined) return undefined;
  // A template without a spec still labels its pods (Services and PDBs select on that).
  const spec = obj(template, 'spec') ?? {};
  return {
    labels: stringMap(template, 'metadata.labels'),
    annotations: stringMap(template, 'metadata.annotations'),
    spec,
    specPath: `${base}.spec`,
  };
}

export interface ContainerRef {
  container: Json;
  name: string;
  init: boolean;
  /** JSON path inside the object. */
  path: string;
}

export function containersOf(
  template: PodTemplate,
  options: { init?: boolean; ephemeral?: boolean } = {},
): ContainerRef[] {
  const out: ContainerRef[] = [];
  const add = (field: string, init: boolean): void => {
    objs(template.spec, field).forEach((container, i) => {
      out.push({
        container,
        name: str(container, 'name') ?? `#${i}`,
        init,
        path: `${template.specPath}.${field}[${i}]`,
      });
    });
  };
  if (options.init === true) add('initContainers', true);
  add('containers', false);
  if (options.ephemeral === true) add('ephemeralContainers', false);
  return out;
}

/** `spec.replicas` with the API default of 1 when the field is absent. */
export function replicasOf(manifest: Manifest): number | undefined {
  if (
    !['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig'].includes(
      manifest.kind,
    )
  )
    return undefined;
  const replicas = obj(manifest.doc, 'spec')?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

/** Reads a metav1.LabelSelector (or a bare map, as Services and RCs use) from a value. */
export function selectorFrom(value: unknown, bareMap = false): LabelSelector | undefined {
  if (!isObject(value)) return undefined;
  if (bareMap) return { matchLabels: stringMap(value), matchExpressions: [] };
  return {
    matchLabels: stringMap(value, 'matchLabels'),
    matchExpressions: objs(value, 'matchExpressions').map((expression) => ({
      key: str(expression, 'key') ?? '',
      operator: str(expression, 'operator') ?? '',
      values: arr(expression, 'values').map(String),
    })),
  };
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/** Every workload whose pod template the selector matches, in the same namespace. */
export function podsSelectedBy(selector: LabelSelector, owner: Manifest, index: ObjectIndexView): Manifest[] {
  return index.workloadsIn(owner.namespace).filter((m) => labelSelectorMatches(selector, podLabelsOf(m)));
}

/**
 * The labels the workload's pods carry: the template's, plus the selector's matchLabels (which a
 * valid workload's template must carry anyway) for manifests that leave the template out.
 */
const podLabels = new WeakMap<Manifest, Record<string, string>>();

export function podLabelsOf(manifest: Manifest): Record<string, string> {
  let labels = podLabels.get(manifest);
  if (labels === undefined) {
    labels = readPodLabels(manifest);
    podLabels.set(manifest, labels);
  }
  return labels;
}

function readPodLabels(manifest: Manifest): Record<string, string> {
  const template = podTemplateOf(manifest);
  const fromSelector = manifest.kind === 'Pod' ? {} : stringMap(manifest.doc, 'spec.selector.matchLabels');
  return { ...fromSelector, ...(template?.labels ?? {}) };
}
