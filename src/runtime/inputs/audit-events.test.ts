import { describe, expect, it } from 'vitest';
import { parseRfc3339Nano } from './audit-events.js';

/** Nanoseconds from Date.parse (milliseconds) plus the sub-millisecond digits. */
function reference(text: string, subMillisecondNanos = 0n): bigint {
  return BigInt(Date.parse(text)) * 1_000_000n + subMillisecondNanos;
}

describe('parseRfc3339Nano (the audit event time)', () => {
  it('reads Go RFC3339Nano times to the nanosecond, with Z or an offset', () => {
    expect(parseRfc3339Nano('2018-10-25T13:58:49.730588Z')).toBe(
      reference('2018-10-25T13:58:49.730Z', 588_000n),
    );
    expect(parseRfc3339Nano('2018-10-25T13:58:49Z')).toBe(reference('2018-10-25T13:58:49Z'));
    expect(parseRfc3339Nano('2026-11-26T10:15:00.123456789+02:00')).toBe(
      reference('2026-11-26T10:15:00.123+02:00', 456_789n),
    );
    expect(parseRfc3339Nano('1969-12-31T23:59:59.5-01:30')).toBe(reference('1969-12-31T23:59:59.5-01:30'));
    expect(parseRfc3339Nano('2024-02-29T00:00:00Z')).toBe(reference('2024-02-29T00:00:00Z'));
    expect(parseRfc3339Nano('2000-02-29T00:00:00Z')).toBe(reference('2000-02-29T00:00:00Z'));
    expect(parseRfc3339Nano('0001-01-01T00:00:00Z')).toBe(-62_135_596_800n * 1_000_000_000n);
  });

  it('agrees with Date.parse on every day of a leap year and a common year', () => {
    for (const year of [2023, 2024]) {
      for (let day = 0; day < 366; day++) {
        const date = new Date(Date.UTC(year, 0, 1 + day, 7, 8, 9));
        if (date.getUTCFullYear() !== year) continue;
        const text = date.toISOString().replace('.000Z', 'Z');
        expect(parseRfc3339Nano(text), text).toBe(reference(text));
      }
    }
  });

  it('refuses what Go refuses: impossible dates, bad offsets, missing parts, 10 fraction digits', () => {
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:60:00Z',
      '2024-01-01T00:00:00',
      '2024-01-01T00:00:00.Z',
      '2024-01-01T00:00:00.1234567891Z',
      '2024-01-01T00:00:00+0200',
      '2024-01-01T00:00:00+24:00',
      '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00Zjunk',
      '20x4-01-01T00:00:00Z',
      '',
    ]) {
      expect(parseRfc3339Nano(bad), bad).toBeUndefined();
    }
  });
});
