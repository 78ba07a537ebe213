/** Who points at whom: Services, PDBs, HPAs and NetworkPolicies and the pods they select. */
import { obj, str } from '../json.js';
import type { Manifest, ObjectIndexView } from '../model.js';
import {
  isEmptySelector,
  podLabelsOf,
  podTemplateOf,
  sameNamespace,
  selectorFrom,
  selectorMatches,
} from '../workload.js';

/** Services whose (non-empty) selector matches the workload's pod labels. */
export function servicesTargeting(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  const template = podTemplateOf(manifest);
  if (template === undefined) return [];
  return index.byKind('Service').filter((service) => {
    if (!sameNamespace(service, manifest)) return false;
    const selector = selectorFrom(obj(service.doc, 'spec.selector'), true);
    return selector !== undefined && !isEmptySelector(selector) && selectorMatches(selector, template.labels);
  });
}

export function isTargetedByService(manifest: Manifest, index: ObjectIndexView): boolean {
  return servicesTargeting(manifest, index).length > 0;
}

/** PDBs whose selector matches the workload's pods. */
export function pdbsFor(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  const labels = podLabelsOf(manifest);
  return index.byKind('PodDisruptionBudget').filter((pdb) => {
    if (!sameNamespace(pdb, manifest)) return false;
    const selector = selectorFrom(obj(pdb.doc, 'spec.selector'));
    return selector !== undefined && !isEmptySelector(selector) && selectorMatches(selector, labels);
  });
}

/** HPAs whose scaleTargetRef names this object. */
export function hpasFor(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  return index.byKind('HorizontalPodAutoscaler').filter((hpa) => {
    const ref = obj(hpa.doc, 'spec.scaleTargetRef');
    return (
      ref !== undefined &&
      str(ref, 'kind') === manifest.kind &&
      str(ref, 'name') === manifest.name &&
      sameNamespace(hpa, manifest)
    );
  });
}

/** The object an HPA scales, if it is among the manifests. */
export function hpaTarget(hpa: Manifest, index: ObjectIndexView): Manifest | undefined {
  const ref = obj(hpa.doc, 'spec.scaleTargetRef');
  const kind = str(ref, 'kind');
  const name = str(ref, 'name');
  if (kind === undefined || name === undefined) return undefined;
  const apiVersion = str(ref, 'apiVersion');
  return index
    .byKind(kind)
    .find(
      (m) =>
        m.name === name &&
        sameNamespace(m, hpa) &&
        (apiVersion === undefined || groupOf(apiVersion) === groupOf(m.apiVersion)),
    );
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}
