/**
 * Per-object opt-outs. Chartroom's own annotation plus the three anchors' (kube-score, Polaris,
 * kube-linter), so a team moving over keeps its annotations. Anchor ids are translated into
 * Chartroom check ids through the mapping table in anchors.ts.
 */
import { chartroomIdsFor, type AnchorTool } from './anchors.js';
import type { Manifest } from './model.js';
import { podTemplateOf } from './workload.js';

/** `chartroom.dev/ignore: "check-a,check-b"` (or `"*"`) on the object or its pod template. */
export const chartroomIgnoreAnnotation = 'chartroom.dev/ignore';

export interface IgnoreSettings {
  chartroom: boolean;
  'kube-score': boolean;
  polaris: boolean;
  'kube-linter': boolean;
}

export const allIgnoreAnnotations: IgnoreSettings = {
  chartroom: true,
  'kube-score': true,
  polaris: true,
  'kube-linter': true,
};

/** Why a check is ignored on this object, or undefined if it is not. */
export type IgnoreLookup = (checkId: string) => string | undefined;

export function ignoresOf(manifest: Manifest, settings: IgnoreSettings): IgnoreLookup {
  const template = podTemplateOf(manifest);
  // kube-score and Chartroom read the pod template's annotations too ("child annotations").
  const both = { ...(template?.annotations ?? {}), ...manifest.annotations };
  const reasons = new Map<string, string>();
  let all: string | undefined;

  const addList = (value: string | undefined, tool: AnchorTool | 'chartroom', why: string): void => {
    if (value === undefined) return;
    for (const raw of value.split(',')) {
      const id = raw.trim();
      if (id === '') continue;
      if (id === '*' || id === 'all') {
        all ??= why;
        continue;
      }
      const ids = tool === 'chartroom' ? [id] : chartroomIdsFor(tool, id);
      for (const chartroomId of ids) if (!reasons.has(chartroomId)) reasons.set(chartroomId, why);
    }
  };

  if (settings.chartroom)
    addList(both[chartroomIgnoreAnnotation], 'chartroom', `annotation ${chartroomIgnoreAnnotation}`);
  if (settings['kube-score'])
    addList(both['kube-score/ignore'], 'kube-score', 'annotation kube-score/ignore');
  if (settings.polaris) {
    if (manifest.annotations['polaris.fairwinds.com/exempt'] === 'true')
      all ??= 'annotation polaris.fairwinds.com/exempt';
    for (const [key, value] of Object.entries(manifest.annotations)) {
      const match = /^polaris\.fairwinds\.com\/(.+)-exempt$/.exec(key);
      if (match?.[1] !== undefined && value === 'true') addList(match[1], 'polaris', `annotation ${key}`);
    }
  }
  if (settings['kube-linter']) {
    if (Object.hasOwn(manifest.annotations, 'kube-linter.io/ignore-all'))
      all ??= 'annotation kube-linter.io/ignore-all';
    for (const key of Object.keys(manifest.annotations)) {
      const match = /^ignore-check\.kube-linter\.io\/(.+)$/.exec(key);
      if (match?.[1] !== undefined) addList(match[1], 'kube-linter', `annotation ${key}`);
    }
  }
  return (checkId) => reasons.get(checkId) ?? all;
}

/**
 * Optional checks turned on for one object: kube-score's `kube-score/enable: id,…` (its ids) and
 * Chartroom's `chartroom.dev/enable: id,…`, on the object or its pod template.
 */
export function enabledByAnnotation(manifest: Manifest, settings: IgnoreSettings): ReadonlySet<string> {
  const template = podTemplateOf(manifest);
  const out = new Set<string>();
  const list = (value: string | undefined): string[] =>
    (value ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
  if (settings['kube-score']) {
    for (const value of [
      manifest.annotations['kube-score/enable'],
      template?.annotations['kube-score/enable'],
    ]) {
      for (const id of list(value))
        for (const chartroomId of chartroomIdsFor('kube-score', id)) out.add(chartroomId);
    }
  }
  if (settings.chartroom) {
    for (const value of [
      manifest.annotations['chartroom.dev/enable'],
      template?.annotations['chartroom.dev/enable'],
    ]) {
      for (const id of list(value)) out.add(id);
    }
  }
  return out;
}
