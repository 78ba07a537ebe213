/**
 * Comparing two sets of Kubernetes objects (the release Helm has deployed, and what the next
 * deploy would apply) object by object, as text diffs a reviewer can read. Secret values never
 * appear: each one is replaced by its length, and a value that changed says so, so a rotated
 * password shows up as a change without being shown.
 */
import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
import type { ManifestObject } from '../helm/storage.js';

export type ObjectChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface ObjectDiff {
  kind: string;
  name: string;
  namespace: string;
  change: ObjectChange;
  /** Unified diff lines (`+`, `-`, ` `, and `@@` hunk headers); empty when unchanged. */
  lines: string[];
}

const keyOf = (object: ManifestObject, namespace: string): string =>
  `${object.kind}/${object.namespace ?? namespace}/${object.name}`;

/**
 * Secret data as `<N bytes>`. On the new side, `changed` marks a key whose value differs from the
 * old one, so that a new value of the same length still makes a diff line.
 */
function redactSecret(
  object: Record<string, unknown>,
  other: Record<string, unknown> | undefined,
  side: 'before' | 'after',
): Record<string, unknown> {
  const copy = { ...object };
  for (const field of ['data', 'stringData'] as const) {
    const values = object[field];
    if (values === null || typeof values !== 'object') continue;
    const otherValues = (other?.[field] ?? {}) as Record<string, unknown>;
    copy[field] = Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([key, value]) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
        const bytes = field === 'data' ? Buffer.from(text, 'base64').length : Buffer.byteLength(text);
        const changed = side === 'after' && key in otherValues && otherValues[key] !== value;
        return [key, `<secret: ${String(bytes)} bytes${changed ? ', changed' : ''}>`];
      }),
    );
  }
  return copy;
}

function text(
  object: ManifestObject | undefined,
  other: ManifestObject | undefined,
  side: 'before' | 'after',
): string {
  if (object === undefined) return '';
  const body = object.kind === 'Secret' ? redactSecret(object.object, other?.object, side) : object.object;
  return stringify(body, { lineWidth: 0 });
}

/**
 * Pairs objects by kind, namespace and name; objects without a namespace are in `namespace`
 * (the release's). Changed and added objects come first, in the order of the new manifest.
 */
export function diffObjects(
  before: readonly ManifestObject[],
  after: readonly ManifestObject[],
  namespace: string,
): ObjectDiff[] {
  const old = new Map(before.map((object) => [keyOf(object, namespace), object]));
  const seen = new Set<string>();
  const diffs: ObjectDiff[] = [];
  const add = (previous: ManifestObject | undefined, next: ManifestObject | undefined): void => {
    const ref = (next ?? previous) as ManifestObject;
    const oldText = text(previous, next, 'before');
    const newText = text(next, previous, 'after');
    const change: ObjectChange =
      previous === undefined
        ? 'added'
        : next === undefined
          ? 'removed'
          : oldText === newText
            ? 'unchanged'
            : 'changed';
    const lines =
      change === 'unchanged'
        ? []
        : structuredPatch('before', 'after', oldText, newText, '', '', { context: 3 }).hunks.flatMap(
            (hunk) => [
              `@@ -${String(hunk.oldStart)},${String(hunk.oldLines)} +${String(hunk.newStart)},${String(hunk.newLines)} @@`,
              ...hunk.lines,
            ],
          );
    diffs.push({ kind: ref.kind, name: ref.name, namespace: ref.namespace ?? namespace, change, lines });
  };
  for (const next of after) {
    const key = keyOf(next, namespace);
    seen.add(key);
    add(old.get(key), next);
  }
  for (const [key, previous] of old) if (!seen.has(key)) add(previous, undefined);
  const rank: Record<ObjectChange, number> = { changed: 0, added: 1, removed: 2, unchanged: 3 };
  return diffs.sort((a, b) => rank[a.change] - rank[b.change]);
}
