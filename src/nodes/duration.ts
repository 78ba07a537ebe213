import { UsageError } from '../core/errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration (`110s`, `2m`, `1m30s`, `500ms`) into milliseconds, the format
 * kubectl's `--timeout` and the notes of every peer use. A bare number is refused: "120" could
 * be seconds or milliseconds, and guessing wrong on a drain deadline is costly.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim();
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(trimmed); match !== null; match = pattern.exec(trimmed)) {
    total += Number(match[1]) * (units[match[2] ?? 's'] ?? 1000);
    consumed = pattern.lastIndex;
  }
  if (trimmed === '' || consumed !== trimmed.length) {
    throw new UsageError(
      `${flag} must be a duration such as 110s, 2m or 1m30s, not "${text}"`,
      'Give a number with a unit: ms, s, m or h.',
    );
  }
  return Math.round(total);
}

/** A duration for how often to do something: zero would repeat it without pause. */
export function parseInterval(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms <= 0) {
    throw new UsageError(
      `${flag} must be longer than 0, not "${text}"`,
      'A zero interval would repeat without pause; e.g. 2s.',
    );
  }
  return ms;
}

/**
 * A deadline given either as a duration from now (`110s`) or as an RFC 3339 time
 * (`2026-05-01T10:00:00Z`, e.g. copied from a spot notice).
 */
export function parseDeadline(text: string, now = Date.now()): Date {
  if (/^\d{4}-\d{2}-\d{2}T/.test(text.trim())) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) {
      throw new UsageError(
        `--deadline "${text}" is not a valid RFC 3339 time`,
        'Use e.g. 2026-05-01T10:00:00Z.',
      );
    }
    return new Date(at);
  }
  return new Date(now + parseDuration(text, '--deadline'));
}

/** `1m05s`-style text for humans, to the second (or tenth of a second under 10s). */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
