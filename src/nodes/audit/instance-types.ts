/**
 * Similar instance types to diversify a spot group with: the same size in sibling families of
 * the same purpose (and CPU maker where it matters little). A starting point for the fix, not a
 * price list: people still check vCPU/memory fit and regional availability.
 */
const families: readonly (readonly string[])[] = [
  ['m4', 'm5', 'm5a', 'm5n', 'm6i', 'm6a', 'm7i', 'm7a'],
  ['c4', 'c5', 'c5a', 'c5n', 'c6i', 'c6a', 'c7i', 'c7a'],
  ['r4', 'r5', 'r5a', 'r5n', 'r6i', 'r6a', 'r7i', 'r7a'],
  ['t3', 't3a'],
  ['m6g', 'm7g'],
  ['c6g', 'c7g'],
  ['r6g', 'r7g'],
];

export function similarInstanceTypes(type: string, count = 4): string[] {
  const [family = '', size = ''] = type.split('.');
  const siblings = families.find((group) => group.includes(family));
  if (siblings === undefined || size === '') return [];
  // Newer generations first: they are cheaper per vCPU and have deeper spot pools.
  return [...siblings]
    .reverse()
    .filter((f) => f !== family)
    .slice(0, count)
    .map((f) => `${f}.${size}`);
}
