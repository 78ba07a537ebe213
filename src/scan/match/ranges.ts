/**
 * OSV range evaluation (ossf/osv-schema "Evaluation"): events sorted by version; `introduced`
 * opens an affected span, `fixed` and `limit` close it before the version, `last_affected` after.
 */
import type { RangeEvent } from '../db/types.js';
import type { VersionComparator } from '../version/index.js';

function value(event: RangeEvent): string {
  return event.introduced ?? event.fixed ?? event.last_affected ?? event.limit ?? '';
}

export function inRanges(
  version: string,
  events: readonly RangeEvent[],
  comparator: VersionComparator,
): boolean {
  const cmp = (a: string, b: string): number =>
    a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : comparator.compare(a, b);
  const sorted = [...events]
    .filter((e) => value(e) === '0' || comparator.valid(value(e)))
    .sort((a, b) => cmp(value(a), value(b)));
  let affected = false;
  for (const event of sorted) {
    if (event.introduced !== undefined) {
      if (cmp(version, event.introduced) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      if (cmp(version, event.fixed) >= 0) affected = false;
    } else if (event.last_affected !== undefined) {
      if (cmp(version, event.last_affected) > 0) affected = false;
    } else if (event.limit !== undefined) {
      if (cmp(version, event.limit) >= 0) affected = false;
    }
  }
  return affected;
}
