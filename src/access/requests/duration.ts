import { UsageError } from '../../core/errors.js';

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `8h`, `30m`, `1h30m`, `2d` into seconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+[smhd])+$/.test(trimmed)) {
    throw new UsageError(`invalid duration ${JSON.stringify(text)}`, 'Write it like 8h, 30m, 1h30m or 2d.');
  }
  let seconds = 0;
  for (const [, amount = '0', unit = 's'] of trimmed.matchAll(/(\d+)([smhd])/g))
    seconds += Number(amount) * (units[unit] ?? 1);
  return seconds;
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length === 0 ? '0s' : parts.join('');
}
