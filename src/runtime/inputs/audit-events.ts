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

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 (Go's RFC3339Nano layout) to nanoseconds since the epoch. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = rfc3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (
    month === undefined ||
    month < 1 ||
    month > 12 ||
    (day as number) < 1 ||
    (hour as number) > 23 ||
    (minute as number) > 59 ||
    (second as number) > 59
  ) {
    return undefined;
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year as number, month - 1, day);
  date.setUTCHours(hour as number, minute, second, 0);
  if (date.getUTCDate() !== day) return undefined;
  const ms = date.getTime();
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  let offsetSeconds = 0;
  if (m[8] !== 'Z') offsetSeconds = (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  return (BigInt(ms) / 1000n - BigInt(offsetSeconds)) * 1_000_000_000n + fraction;
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
  const first = text.trimStart()[0];
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
