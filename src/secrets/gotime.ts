/**
 * Go's time.Time as far as sops uses it: YAML timestamps (go-yaml's accepted layouts), their
 * `MarshalText` form (RFC 3339 with nanoseconds and the original UTC offset), and RFC 3339 for
 * `lastmodified`/`created_at`. A JS Date would lose nanoseconds and the offset, and with them the
 * plaintext bytes the MAC is computed over.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export class GoTime {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly nanos: number,
    /** Offset east of UTC in seconds; 0 prints as `Z`, as Go does. */
    readonly offsetSeconds: number,
  ) {}

  static fromDate(date: Date): GoTime {
    return new GoTime(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      0,
      0,
    );
  }

  private zone(): string {
    if (this.offsetSeconds === 0) return 'Z';
    const sign = this.offsetSeconds < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetSeconds);
    return `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`;
  }

  private dateTime(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}T${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
  }

  /** `time.RFC3339Nano` (also what `MarshalText` and go-yaml write): trailing zeros trimmed. */
  get text(): string {
    let frac = '';
    if (this.nanos !== 0) frac = '.' + pad(this.nanos, 9).replace(/0+$/, '');
    return this.dateTime() + frac + this.zone();
  }

  /** `time.RFC3339`: whole seconds. */
  get rfc3339(): string {
    return this.dateTime() + this.zone();
  }

  /** Milliseconds since the epoch (nanoseconds truncated). */
  get epochMillis(): number {
    return (
      Date.UTC(this.year, this.month - 1, this.day, this.hour, this.minute, this.second) -
      this.offsetSeconds * 1000 +
      Math.floor(this.nanos / 1e6)
    );
  }

  toString(): string {
    return this.text;
  }
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

interface Cursor {
  s: string;
  i: number;
}

/** Reads 1–2 digits (Go's non-fixed `getnum`), or exactly `fixed` digits. */
function num(c: Cursor, fixed?: number): number | undefined {
  const start = c.i;
  const max = fixed ?? 2;
  while (c.i - start < max && isDigit(c.s[c.i])) c.i++;
  const len = c.i - start;
  if (len === 0 || (fixed !== undefined && len !== fixed)) return undefined;
  return Number(c.s.slice(start, c.i));
}

function expect(c: Cursor, ch: string): boolean {
  if (c.s[c.i] !== ch) return false;
  c.i++;
  return true;
}

function fraction(c: Cursor): number {
  if ((c.s[c.i] !== '.' && c.s[c.i] !== ',') || !/[0-9]/.test(c.s[c.i + 1] ?? '')) return 0;
  c.i++;
  const start = c.i;
  while (isDigit(c.s[c.i])) c.i++;
  const digits = c.s.slice(start, c.i);
  return Number(digits.slice(0, 9).padEnd(9, '0'));
}

function validDate(y: number, mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo);
}

/**
 * go-yaml v3's `parseTimestamp`: only unquoted scalars starting with `YYYY-` are tried, in the
 * layouts `2006-1-2T15:4:5.999999999Z07:00` (also lowercase t), `2006-1-2 15:4:5.999999999` and
 * `2006-1-2`.
 */
export function parseYamlTimestamp(s: string): GoTime | undefined {
  if (!/^[0-9]{4}-/.test(s)) return undefined;
  const c: Cursor = { s, i: 0 };
  const year = num(c, 4);
  if (year === undefined || !expect(c, '-')) return undefined;
  const month = num(c);
  if (month === undefined || !expect(c, '-')) return undefined;
  const day = num(c);
  if (day === undefined || !validDate(year, month, day)) return undefined;
  if (c.i === s.length) return new GoTime(year, month, day, 0, 0, 0, 0, 0);
  const sep = s[c.i];
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return undefined;
  c.i++;
  const hour = num(c);
  if (hour === undefined || hour > 23 || !expect(c, ':')) return undefined;
  const minute = num(c);
  if (minute === undefined || minute > 59 || !expect(c, ':')) return undefined;
  const second = num(c);
  if (second === undefined || second > 59) return undefined;
  const nanos = fraction(c);
  if (sep === ' ') {
    return c.i === s.length ? new GoTime(year, month, day, hour, minute, second, nanos, 0) : undefined;
  }
  const offset = zone(c);
  if (offset === undefined || c.i !== s.length) return undefined;
  return new GoTime(year, month, day, hour, minute, second, nanos, offset);
}

function zone(c: Cursor): number | undefined {
  if (expect(c, 'Z')) return 0;
  const sign = c.s[c.i];
  if (sign !== '+' && sign !== '-') return undefined;
  c.i++;
  const h = num(c, 2);
  if (h === undefined || !expect(c, ':')) return undefined;
  const m = num(c, 2);
  if (m === undefined || h > 24 || m > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (h * 3600 + m * 60);
}

/** Go's `time.Parse(time.RFC3339, s)` (also accepts a fraction, as Go does when parsing). */
export function parseRfc3339(s: string): GoTime | undefined {
  const c: Cursor = { s, i: 0 };
  const year = num(c, 4);
  if (year === undefined || !expect(c, '-')) return undefined;
  const month = num(c, 2);
  if (month === undefined || !expect(c, '-')) return undefined;
  const day = num(c, 2);
  if (day === undefined || !validDate(year, month, day) || !expect(c, 'T')) return undefined;
  const hour = num(c, 2);
  if (hour === undefined || hour > 23 || !expect(c, ':')) return undefined;
  const minute = num(c, 2);
  if (minute === undefined || minute > 59 || !expect(c, ':')) return undefined;
  const second = num(c, 2);
  if (second === undefined || second > 59) return undefined;
  const nanos = fraction(c);
  const offset = zone(c);
  if (offset === undefined || c.i !== s.length) return undefined;
  return new GoTime(year, month, day, hour, minute, second, nanos, offset);
}

/** `time.Now().UTC()` at second precision, as sops stamps `lastmodified` and `created_at`. */
export function nowUtc(now: Date = new Date()): GoTime {
  return GoTime.fromDate(now);
}
