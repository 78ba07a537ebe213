/**
 * Go durations, as Helm 3's `--timeout` parses them (time.ParseDuration): `600s`, `10m`,
 * `1h30m`, `1.5h`, `300ms`. A bare number such as the talk's Helm 2 `--timeout 600` is refused by
 * Helm 3, so it is refused here too, with the fix in the hint.
 */
import { UsageError } from '../../core/errors.js';

const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;

/** Milliseconds of a Go duration, or undefined when Go would refuse it (negatives refused too). */
export function parseGoDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '0') return 0;
  if (value === '' || value.startsWith('-')) return undefined;
  const body = value.startsWith('+') ? value.slice(1) : value;
  part.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(body); match !== null; match = part.exec(body)) {
    total += Number(match[1]) * (unitMs[match[2] ?? ''] ?? Number.NaN);
    consumed = part.lastIndex;
  }
  if (consumed !== body.length || body.length === 0 || !Number.isFinite(total)) return undefined;
  return total;
}

/** Parses a flag value; a bad one is a usage error that says how Helm 3 wants it. */
export function requireGoDuration(text: string, flag: string): number {
  const ms = parseGoDuration(text);
  if (ms !== undefined) return ms;
  const bare = /^\d+$/.test(text.trim());
  throw new UsageError(
    `${flag} ${JSON.stringify(text)} is not a duration`,
    bare
      ? `Helm 3 durations need a unit: write ${text.trim()}s (or ${formatGoDuration(Number(text) * 1000)}).`
      : 'Write a Go duration such as 90s, 10m or 1h30m.',
  );
}

/** Go's own rendering (`10m0s`, `1h30m0s`, `1.5s`, `300ms`), for messages and Helm flags. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.round(((ms % 60_000) / 1000) * 1000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
