/**
 * Alerts of real Falco agents, as they POST them to falcosidekick (`http_output` with
 * `json_output: true`): the same checks as falcosidekick (a known priority, a rule, a parseable
 * non-zero time, some output fields), the same defaults (an empty source becomes "syscalls", tags
 * sorted), and 64-bit integers in output_fields kept exact.
 */
import { parseRfc3339Nano } from './audit-events.js';
import type { Alert } from '../outputs/alert.js';
import type { OutputFieldValue } from '../outputs/template.js';
import { parsePriority } from '../rules/priority.js';

export class FalcoAlertError extends Error {}

/** falcosidekick's answer to anything it cannot use. */
export const invalidAlertBody = 'Please send a valid request body';

const bigintMarker = '\u0000bigint:';

/**
 * JSON.parse, except that integers too large for a double (nanosecond times such as `evt.time`)
 * become bigints instead of being rounded.
 */
export function parseJsonWithBigInts(text: string): unknown {
  let marked = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (match === null) continue;
      const token = match[0];
      if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(Number(token))) {
        // The marker's NUL goes in as a JSON escape: a raw control character is not valid JSON.
        marked += `${text.slice(last, i)}"\\u0000bigint:${token}"`;
        last = i + token.length;
      }
      i += token.length - 1;
    }
  }
  if (last === 0) return JSON.parse(text) as unknown;
  return JSON.parse(marked + text.slice(last), (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(bigintMarker)
      ? BigInt(value.slice(bigintMarker.length))
      : value,
  ) as unknown;
}

function fieldValue(value: unknown): OutputFieldValue {
  if (value === null || typeof value === 'string' || typeof value === 'bigint' || typeof value === 'boolean')
    return value;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return JSON.stringify(value);
}

/** Parses one Falco JSON alert; throws FalcoAlertError when falcosidekick would refuse it. */
export function parseFalcoAlert(body: string): Alert {
  let value: unknown;
  try {
    value = parseJsonWithBigInts(body);
  } catch {
    throw new FalcoAlertError('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FalcoAlertError('the body is not a JSON object');
  const raw = value as Record<string, unknown>;
  const priority = typeof raw.priority === 'string' ? parsePriority(raw.priority) : undefined;
  if (priority === undefined) throw new FalcoAlertError('priority is missing or unknown');
  if (typeof raw.rule !== 'string' || raw.rule === '') throw new FalcoAlertError('rule is missing');
  const time = typeof raw.time === 'string' ? parseRfc3339Nano(raw.time) : undefined;
  if (time === undefined || time === -62_135_596_800_000_000_000n)
    throw new FalcoAlertError('time is missing or not RFC 3339');
  const fields = raw.output_fields;
  if (
    typeof fields !== 'object' ||
    fields === null ||
    Array.isArray(fields) ||
    Object.keys(fields).length === 0
  ) {
    throw new FalcoAlertError('output_fields is missing or empty');
  }
  const tags = Array.isArray(raw.tags)
    ? raw.tags.filter((t): t is string => typeof t === 'string').sort()
    : [];
  const output = typeof raw.output === 'string' ? raw.output : '';
  return {
    time,
    rule: raw.rule,
    priority,
    source: typeof raw.source === 'string' && raw.source !== '' ? raw.source : 'syscalls',
    hostname: typeof raw.hostname === 'string' ? raw.hostname : '',
    tags,
    output,
    // Falco's output is "<time>: <Priority> <message>"; the message is what follows the priority.
    message: output.replace(/^\S+: \S+ /, ''),
    outputFields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fieldValue(v)])),
    origin: 'falco',
  };
}
