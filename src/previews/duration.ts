/**
 * Durations for TTLs and intervals, as people write them in config: `7d`, `36h`, `1d12h`, `10m`,
 * `90s`. Go durations (what Helm takes) stop at hours, but a preview's lifetime is counted in days.
 */
const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds, or undefined when the text is not a duration (a bare number is refused). */
export function parseDuration(text: string): number | undefined {
  const body = text.trim();
  if (body === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(body); match !== null; match = part.exec(body)) {
    total += Number(match[1]) * (unitMs[match[2] ?? ''] ?? Number.NaN);
    consumed = part.lastIndex;
  }
  if (body === '' || consumed !== body.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

/** `3d 4h`, `12m`, `45s`: a remaining time or an age, as people read it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}
