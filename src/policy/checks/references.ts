/** Who points at whom: Services, PDBs, HPAs and NetworkPolicies and the pods they select. */
import { labelSelectorMatches } from '../../kube/selector.js';
import { obj, str } from '../json.js';
import type { Manifest, ObjectIndexView } from '../model.js';
import { isEmptySelector, podLabelsOf, podTemplateOf, selectorFrom } from '../workload.js';

/** Services whose (non-empty) selector matches the workload's pod labels. */
export function servicesTargeting(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  const template = podTemplateOf(manifest);
  if (template === undefined) return [];
  return index.inNamespace('Service', manifest.namespace).filter((service) => {
    const selector = selectorFrom(obj(service.doc, 'spec.selector'), true);
    return (
      selector !== undefined && !isEmptySelector(selector) && labelSelectorMatches(selector, template.labels)
    );
  });
}

export function isTargetedByService(manifest: Manifest, index: ObjectIndexView): boolean {
  return servicesTargeting(manifest, index).length > 0;
}

/** PDBs whose selector matches the workload's pods. */
export function pdbsFor(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  const labels = podLabelsOf(manifest);
  return index.inNamespace('PodDisruptionBudget', manifest.namespace).filter((pdb) => {
    const selector = selectorFrom(obj(pdb.doc, 'spec.selector'));
    return selector !== undefined && !isEmptySelector(selector) && labelSelectorMatches(selector, labels);
  });
}

/** HPAs whose scaleTargetRef names this object. */
export function hpasFor(manifest: Manifest, index: ObjectIndexView): Manifest[] {
  return index.inNamespace('HorizontalPodAutoscaler', manifest.namespace).filter((hpa) => {
    const ref = obj(hpa.doc, 'spec.scaleTargetRef');
    return ref !== undefined && str(ref, 'kind') === manifest.kind && str(ref, 'name') === manifest.name;
  });
}

/** The object an HPA scales, if it is among the manifests. */
export function hpaTarget(hpa: Manifest, index: ObjectIndexView): Manifest | undefined {
  const ref = obj(hpa.doc, 'spec.scaleTargetRef');
  const kind = str(ref, 'kind');
  const name = str(ref, 'name');
  if (kind === undefined || name === undefined) return undefined;
  const apiVersion = str(ref, 'apiVersion');
  const target = index.find(kind, name, hpa.namespace);
  if (target === undefined) return undefined;
  return apiVersion === undefined || groupOf(apiVersion) === groupOf(target.apiVersion) ? target : undefined;
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}
