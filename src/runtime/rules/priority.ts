/** Falco's rule priorities, most severe first, spelled as Falco prints them in alerts. */
export const priorities = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
] as const;

export type Priority = (typeof priorities)[number];

/** Case-insensitive, and `info` is accepted for Informational, as in Falco. */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.toLowerCase();
  if (lower === 'info') return 'Informational';
  return priorities.find((p) => p.toLowerCase() === lower);
}

/** 0 for Emergency … 7 for Debug: lower is more severe. */
export function priorityRank(priority: Priority): number {
  return priorities.indexOf(priority);
}

/** True when `priority` is at least as severe as `minimum`. */
export function atLeast(priority: Priority, minimum: Priority): boolean {
  return priorityRank(priority) <= priorityRank(minimum);
}
