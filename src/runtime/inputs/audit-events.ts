/**
 * Kubernetes audit payloads as the k8saudit plugin accepts them: one `{"kind":"Event"}`, an
 * `{"kind":"EventList","items":[…]}`, or a JSON array of those. Each event needs a
 * `stageTimestamp` (RFC 3339, nanoseconds allowed), which becomes the event time; an event whose
 * JSON exceeds `maxEventSize` is dropped. A payload that is none of these is rejected whole with
 * the plugin's message "data not recognized as a k8s audit event".
 */
import type { RuntimeEvent } from '../fields/types.js';
import { k8sAuditSourceName } from '../fields/sources.js';

/** The plugin's defaults: 256 KiB per event, 12 MiB per webhook request. */
export const defaultMaxEventSize = 262_144;
export const defaultMaxBatchSize = 12 * 1024 * 1024;

export const notAuditData = 'data not recognized as a k8s audit event';

export class AuditPayloadError extends Error {}

/** One event (or the reason it was dropped). */
export type ParsedAuditEvent = { event: Omit<RuntimeEvent, 'num'> } | { error: string };

const digits = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
};

/**
 * RFC 3339 (Go's RFC3339Nano layout: `2018-10-25T13:58:49.730588Z`, `…+02:00`) to nanoseconds
 * since the epoch. Hand-parsed: it runs once per audit event.
 */
export function parseRfc3339Nano(text: string): bigint | undefined {
  if (
    text.length < 20 ||
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  )
    return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  let i = 19;
  let fraction = 0;
  if (text[i] === '.') {
    const start = ++i;
    while (i < text.length && i - start < 10 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const count = i - start;
    if (count === 0 || count > 9) return undefined;
    fraction = digits(text, start, i) * 10 ** (9 - count);
  }
  let offsetSeconds = 0;
  if (text[i] === 'Z' && i === text.length - 1) {
    offsetSeconds = 0;
  } else if ((text[i] === '+' || text[i] === '-') && i + 6 === text.length && text[i + 3] === ':') {
    const hours = digits(text, i + 1, i + 3);
    const minutes = digits(text, i + 4, i + 6);
    if (Number.isNaN(hours + minutes) || hours > 23 || minutes > 59) return undefined;
    offsetSeconds = (text[i] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  } else {
    return undefined;
  }
  if (
    Number.isNaN(year + month + day + hour + minute + second) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (
    day >
    (month === 2 ? (leap ? 29 : 28) : ([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number))
  )
    return undefined;
  const seconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  return BigInt(seconds) * 1_000_000_000n + BigInt(fraction);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function single(value: unknown, maxEventSize: number, checkSize: boolean): ParsedAuditEvent {
  if (!isObject(value)) return { error: "can't read stageTimestamp" };
  const stage = value.stageTimestamp;
  if (stage === undefined) return { error: "can't read stageTimestamp" };
  const ts = typeof stage === 'string' ? parseRfc3339Nano(stage) : undefined;
  if (ts === undefined)
    return { error: `parsing time ${JSON.stringify(stage)} as RFC 3339: invalid timestamp` };
  if (checkSize) {
    const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
    if (size > maxEventSize) return { error: `event larger than maxEventSize: size=${size}` };
  }
  return { event: { source: k8sAuditSourceName, data: value, ts } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits a parsed payload into events. `payloadBytes` (an upper bound of the payload size) lets the
 * per-event size check be skipped when the whole payload is already under the limit.
 */
export function auditEventsOf(
  value: unknown,
  options: { maxEventSize?: number; payloadBytes?: number } = {},
): ParsedAuditEvent[] {
  const maxEventSize = options.maxEventSize ?? defaultMaxEventSize;
  const checkSize = options.payloadBytes === undefined || options.payloadBytes > maxEventSize;
  if (Array.isArray(value)) return value.flatMap((item) => auditEventsOf(item, options));
  if (isObject(value) && typeof value.kind === 'string') {
    if (value.kind === 'EventList' && Array.isArray(value.items)) {
      return value.items.map((item) => single(item, maxEventSize, checkSize));
    }
    if (value.kind === 'Event') return [single(value, maxEventSize, checkSize)];
  }
  throw new AuditPayloadError(notAuditData);
}

/** Parses JSON text and splits it; throws AuditPayloadError for bad JSON or unrecognized data. */
export function parseAuditPayload(text: string, options: { maxEventSize?: number } = {}): ParsedAuditEvent[] {
  // As the plugin does, only try JSON that starts like an object or an array (no copy of the text).
  let start = 0;
  while (start < text.length && /\s/.test(text[start] as string)) start++;
  const first = text[start];
  if (first !== '{' && first !== '[') throw new AuditPayloadError(notAuditData);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AuditPayloadError(`invalid JSON: ${(error as Error).message}`);
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short texts need no exact byte count.
  const maxEventSize = options.maxEventSize ?? defaultMaxEventSize;
  const payloadBytes = text.length * 3 <= maxEventSize ? text.length * 3 : Buffer.byteLength(text, 'utf8');
  return auditEventsOf(value, { maxEventSize, payloadBytes });
}
