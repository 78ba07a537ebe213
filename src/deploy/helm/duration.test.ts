import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { formatGoDuration, parseGoDuration, requireGoDuration } from './duration.js';

describe('Go durations (Helm 3 --timeout)', () => {
  it('parses what time.ParseDuration accepts', () => {
    expect(parseGoDuration('600s')).toBe(600_000);
    expect(parseGoDuration('10m')).toBe(600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('2m30.5s')).toBe(150_500);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('+5s')).toBe(5000);
  });

  it('refuses what Go refuses: bare numbers, days, negatives, junk', () => {
    for (const bad of ['600', '', '1d', '-5s', '5 s', '5sm', 'm', '10m5']) {
      expect(parseGoDuration(bad), bad).toBeUndefined();
    }
  });

  it('turns the talk’s Helm 2 `--timeout 600` into a hint with the Helm 3 spelling', () => {
    try {
      requireGoDuration('600', '--timeout');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).hint).toContain('600s');
      expect((error as UsageError).hint).toContain('10m0s');
    }
  });

  it('formats like Go', () => {
    expect(formatGoDuration(600_000)).toBe('10m0s');
    expect(formatGoDuration(5_400_000)).toBe('1h30m0s');
    expect(formatGoDuration(1500)).toBe('1.5s');
    expect(formatGoDuration(300)).toBe('300ms');
  });
});
